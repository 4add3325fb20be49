namespace Microsoft.ML.Recurrent;

/// <summary>How a captioner picks words.</summary>
public enum CaptionDecoding
{
    /// <summary>The most likely word at every step.</summary>
    Greedy,
    /// <summary>A word drawn from softmax(logits / temperature) at every step.</summary>
    Sampling,
    /// <summary>Beam search: the most likely sentence among the best beam-size partial sentences kept at every step.</summary>
    BeamSearch,
}
