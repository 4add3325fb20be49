namespace Microsoft.ML.Recurrent;

/// <summary>How attention scores a memory vector m (an encoder state) against the decoder's query q.</summary>
public enum AttentionScore
{
    /// <summary>Luong's dot score q·m: no parameters; the memory and the query must have the same width.</summary>
    Dot,
    /// <summary>Luong's general score q·(m·W): a bilinear form.</summary>
    General,
    /// <summary>Bahdanau's additive score v·tanh(m·W + q·U) (Luong's "concat").</summary>
    Additive,
}
