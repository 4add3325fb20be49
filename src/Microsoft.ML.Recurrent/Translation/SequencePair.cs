namespace Microsoft.ML.Recurrent;

/// <summary>A source token sequence and its target token sequence: a training pair of a <see cref="SequenceTranslator"/>.</summary>
/// <param name="Source">The source tokens (a word's letters, a sentence's words), in order.</param>
/// <param name="Target">The target tokens (its phones, its translation's words), in order.</param>
public sealed record SequencePair(IReadOnlyList<string> Source, IReadOnlyList<string> Target);
