namespace Microsoft.ML.Recurrent.Translation;

/// <summary>Source and target token ids of the pairs a translator trains or validates on (target without start or end).</summary>
internal sealed class TranslationDataset(int[][] sources, int[][] targets)
{
    public int[][] Sources { get; } = sources;
    public int[][] Targets { get; } = targets;
    public int Count => Sources.Length;

    /// <summary>
    /// The ids of <paramref name="pairs"/> (unknown tokens read as id 0), refusing empty sides and sides longer than the limits;
    /// without a vocabulary, only the checks.
    /// </summary>
    public static TranslationDataset FromPairs(IReadOnlyList<SequencePair> pairs, TranslatorVocabulary? vocabulary, SequenceTranslatorOptions options, string paramName)
    {
        var sources = new int[pairs.Count][];
        var targets = new int[pairs.Count][];
        for (int i = 0; i < pairs.Count; i++)
        {
            var pair = pairs[i] ?? throw new ArgumentException($"Pair {i} is null.", paramName);
            Check(pair.Source, i, "source", options.MaxSourceLength, nameof(options.MaxSourceLength), paramName);
            Check(pair.Target, i, "target", options.MaxTargetLength, nameof(options.MaxTargetLength), paramName);
            if (vocabulary == null) continue;
            sources[i] = [.. pair.Source.Select(vocabulary.SourceId)];
            targets[i] = [.. pair.Target.Select(vocabulary.TargetId)];
        }
        return new TranslationDataset(sources, targets);
    }

    internal static void Check(IReadOnlyList<string>? tokens, int index, string side, int max, string option, string paramName)
    {
        if (tokens is null) throw new ArgumentException($"The {side} of pair {index} is null.", paramName);
        if (tokens.Count == 0) throw new ArgumentException($"The {side} of pair {index} is empty.", paramName);
        if (tokens.Count > max) throw new ArgumentException($"The {side} of pair {index} has {tokens.Count} tokens, more than {option} ({max}).", paramName);
        for (int t = 0; t < tokens.Count; t++)
            if (string.IsNullOrEmpty(tokens[t])) throw new ArgumentException($"Token {t} of the {side} of pair {index} is null or empty.", paramName);
    }
}
