namespace Microsoft.ML.Recurrent;

/// <summary>How a sequence classifier reduces the hidden states of all steps to one vector.</summary>
public enum SequencePooling
{
    /// <summary>The final state of each direction (forward: the last step; backward: the first).</summary>
    Last,
    /// <summary>The mean of the hidden states over the sequence's steps.</summary>
    Mean,
    /// <summary>The element-wise maximum of the hidden states over the sequence's steps.</summary>
    Max,
}
