namespace Microsoft.ML.Recurrent;

/// <summary>
/// Options of the recurrent binary and multiclass trainers: the columns, plus the architecture and training
/// settings of <see cref="SequenceClassifierOptions"/>.
/// </summary>
public sealed class RecurrentClassifierOptions : SequenceClassifierOptions
{
    /// <summary>The label column: Boolean for binary classification, a key for multiclass.</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>
    /// The sequence column: a variable-length vector of keys (token ids, e.g. from <c>TokenizeIntoWords</c> +
    /// <c>MapValueToKey</c>, or <c>TokenizeIntoCharactersAsKeys</c>), or of floats holding
    /// <see cref="StepWidth"/> values per step.
    /// </summary>
    public string FeatureColumnName { get; set; } = "Features";

    /// <summary>Values per step of a float sequence column (ignored for key columns).</summary>
    public int StepWidth { get; set; } = 1;
}
