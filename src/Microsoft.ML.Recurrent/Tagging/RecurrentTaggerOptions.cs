namespace Microsoft.ML.Recurrent;

/// <summary>
/// Options of the recurrent tagger trainer: the columns, plus the architecture and training settings of
/// <see cref="SequenceTaggerOptions"/>.
/// </summary>
public sealed class RecurrentTaggerOptions : SequenceTaggerOptions
{
    /// <summary>The label column: a vector of UInt32 keys with one label per token (e.g. <c>TokenizeIntoWords</c> + <c>MapValueToKey</c>).</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>
    /// The token column: a vector of text (e.g. <c>TokenizeIntoWords</c>) — text rather than keys, so that a word never
    /// seen in training still gets features from its spelling in a saved pipeline — or, with <see cref="StepWidth"/>
    /// set, a vector of floats holding that many values per step (a numeric sequence labelled step by step).
    /// </summary>
    public string TokenColumnName { get; set; } = "Tokens";

    /// <summary>0: the token column is text; otherwise it is a float vector of this many values per step.</summary>
    public int StepWidth { get; set; }

    internal override void Validate()
    {
        base.Validate();
        Require(StepWidth is >= 0 and <= Recurrent.Layers.StackShape.MaxWidth, nameof(StepWidth), StepWidth, "must be in [0, 65536] (0 = the tokens are text)");
    }
}
