namespace Microsoft.ML.Recurrent;

/// <summary>
/// How a <see cref="SequenceTranslator"/> generates an output: greedy (the default: the most likely token at every
/// step), temperature sampling (<see cref="Temperature"/> &gt; 0), or beam search (<see cref="BeamSize"/> &gt; 1). An
/// output stops at the end token, or after <see cref="MaxLengthRatio"/> × the source's length + <see cref="MaxLengthSlack"/> tokens.
/// </summary>
public sealed record TranslationDecoding
{
    /// <summary>Greedy decoding with the default length limit.</summary>
    public static TranslationDecoding Greedy { get; } = new();

    /// <summary>Hypotheses kept at every step of beam search (1 = greedy).</summary>
    public int BeamSize { get; init; } = 1;
    /// <summary>Whether beam search compares finished outputs by log-probability per token rather than in total (which favours short ones).</summary>
    public bool LengthNormalized { get; init; } = true;
    /// <summary>0 = the most likely token; above 0, draw each token from softmax(logits / temperature) (with beam size 1).</summary>
    public float Temperature { get; init; }
    /// <summary>Seed of sampling: the same seed gives the same output for the same source.</summary>
    public int Seed { get; init; } = 1;
    /// <summary>The longest output is this many tokens per source token ...</summary>
    public double MaxLengthRatio { get; init; } = 2.0;
    /// <summary>... plus this many.</summary>
    public int MaxLengthSlack { get; init; } = 10;

    /// <summary>The most tokens an output of a source of <paramref name="sourceLength"/> tokens may have.</summary>
    public int MaxLength(int sourceLength) => (int)Math.Min(1 << 16, Math.Ceiling(MaxLengthRatio * sourceLength) + MaxLengthSlack);

    /// <summary>Throws an exception naming the first setting out of range.</summary>
    internal void Validate()
    {
        if (BeamSize is < 1 or > 1024) throw new ArgumentOutOfRangeException(nameof(BeamSize), BeamSize, "BeamSize must be in [1, 1024].");
        if (!float.IsFinite(Temperature) || Temperature < 0) throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, "Temperature must be finite and non-negative.");
        if (Temperature > 0 && BeamSize > 1) throw new ArgumentException("Sampling (Temperature > 0) and beam search (BeamSize > 1) exclude each other.", nameof(Temperature));
        if (!double.IsFinite(MaxLengthRatio) || MaxLengthRatio < 0) throw new ArgumentOutOfRangeException(nameof(MaxLengthRatio), MaxLengthRatio, "MaxLengthRatio must be finite and non-negative.");
        if (MaxLengthSlack < 0) throw new ArgumentOutOfRangeException(nameof(MaxLengthSlack), MaxLengthSlack, "MaxLengthSlack must be non-negative.");
        if (MaxLength(1) < 1) throw new ArgumentException("MaxLengthRatio and MaxLengthSlack allow no output token.", nameof(MaxLengthSlack));
    }
}
