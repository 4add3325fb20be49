namespace Microsoft.ML.Recurrent;

/// <summary>
/// One sentence (or any sequence) with a label for every token: the unit a sequence tagger trains on
/// and is evaluated on. Part-of-speech tags, BIO entity tags, chunks or per-frame classes are all labels.
/// </summary>
public sealed record TaggedSentence
{
    /// <summary>A sentence whose <paramref name="labels"/>[i] belongs to <paramref name="tokens"/>[i].</summary>
    /// <exception cref="ArgumentException">The lists differ in length, or a token or label is null or empty.</exception>
    public TaggedSentence(IReadOnlyList<string> tokens, IReadOnlyList<string> labels)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(labels);
        if (tokens.Count != labels.Count)
            throw new ArgumentException($"A tagged sentence needs one label per token: {tokens.Count} tokens, {labels.Count} labels.", nameof(labels));
        for (int i = 0; i < tokens.Count; i++)
        {
            if (string.IsNullOrEmpty(tokens[i])) throw new ArgumentException($"Token {i} is null or empty.", nameof(tokens));
            if (string.IsNullOrEmpty(labels[i])) throw new ArgumentException($"The label of token {i} ('{tokens[i]}') is null or empty.", nameof(labels));
        }
        Tokens = [.. tokens];
        Labels = [.. labels];
    }

    /// <summary>The tokens, in order.</summary>
    public IReadOnlyList<string> Tokens { get; }

    /// <summary>One label per token.</summary>
    public IReadOnlyList<string> Labels { get; }
}
