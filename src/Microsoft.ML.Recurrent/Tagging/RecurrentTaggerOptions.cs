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
    /// The token column: a vector of text (e.g. <c>TokenizeIntoWords</c>). Text rather than keys, so that a word never
    /// seen in training still gets features from its spelling in a saved pipeline.
    /// </summary>
    public string TokenColumnName { get; set; } = "Tokens";
}
