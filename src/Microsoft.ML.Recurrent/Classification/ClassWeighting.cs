namespace Microsoft.ML.Recurrent;

/// <summary>How a sequence classifier weighs the training loss of each class.</summary>
public enum ClassWeighting
{
    /// <summary>Every example counts the same.</summary>
    None,
    /// <summary>Each class counts as much as every other in total: weight n / (classes · count of the class).</summary>
    Balanced,
}
