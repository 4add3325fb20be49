using Microsoft.ML.Data;

namespace Microsoft.ML.Recurrent;

/// <summary>
/// Writes a caption (text column) for every row's image features with a trained <see cref="ImageCaptioner"/>.
/// Works in memory with Transform and PredictionEngine; saving through <c>mlContext.Model.Save</c> is not
/// supported yet and throws <see cref="NotSupportedException"/>.
/// </summary>
public sealed class CaptionerTransformer : ITransformer
{
    private readonly ITransformer _mapping;

    /// <summary>Wraps a trained captioner.</summary>
    /// <param name="captioner">The trained captioner.</param>
    /// <param name="outputColumnName">Column that receives the caption text.</param>
    /// <param name="featuresColumnName">Vector-of-Single column holding the image features.</param>
    public CaptionerTransformer(ImageCaptioner captioner, string outputColumnName, string featuresColumnName)
    {
        ArgumentNullException.ThrowIfNull(captioner);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(featuresColumnName);
        Captioner = captioner;
        OutputColumnName = outputColumnName;
        FeaturesColumnName = featuresColumnName;
        _mapping = CaptionMapping.Create(captioner, featuresColumnName, outputColumnName);
    }

    /// <summary>The trained captioner.</summary>
    public ImageCaptioner Captioner { get; }

    /// <summary>Column that receives the caption text.</summary>
    public string OutputColumnName { get; }

    /// <summary>Column holding the image features.</summary>
    public string FeaturesColumnName { get; }

    /// <inheritdoc />
    public bool IsRowToRowMapper => true;

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        CaptionMapping.CheckFeatures(inputSchema, FeaturesColumnName, Captioner.FeatureCount, nameof(inputSchema));
        return _mapping.GetOutputSchema(inputSchema);
    }

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        CaptionMapping.CheckFeatures(inputSchema, FeaturesColumnName, Captioner.FeatureCount, nameof(inputSchema));
        return _mapping.GetRowToRowMapper(inputSchema);
    }

    /// <inheritdoc />
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CaptionMapping.CheckFeatures(input.Schema, FeaturesColumnName, Captioner.FeatureCount, nameof(input));
        return _mapping.Transform(input);
    }

    // The decode loop exists only in C#: ML.NET can persist it once it is an ONNX graph (as the character
    // model's GenerationChain does), which is still to be built.
    void ICanSaveModel.Save(ModelSaveContext ctx) => throw new NotSupportedException(
        "Saving a captioning pipeline with mlContext.Model.Save is not supported yet. Keep the fitted pipeline in memory " +
        "(or save the stages before the captioner and train the captioner again).");
}
