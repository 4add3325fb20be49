namespace Microsoft.ML.Recurrent;

/// <summary>Which decoder state asks where to look, with <see cref="ImageConditioning.Attention"/>.</summary>
public enum AttentionQuery
{
    /// <summary>
    /// "Show, Attend and Tell" (Xu et al. 2015): the top layer's previous output scores the regions, and the context
    /// feeds the first layer with the previous word and the output layer. The query has not read the previous word.
    /// </summary>
    PreviousState,
    /// <summary>
    /// Spatial attention as in "Knowing When to Look" (Lu et al. 2017): the recurrence reads the previous word first,
    /// its top layer's output scores the regions, and the context feeds the output layer only, so a colour word just
    /// written decides where the shape is read. Training runs the recurrence over all steps in one pass.
    /// </summary>
    CurrentState,
}
