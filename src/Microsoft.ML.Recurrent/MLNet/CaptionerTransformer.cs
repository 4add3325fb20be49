using Microsoft.ML.Data;

namespace Microsoft.ML.Recurrent;

/// <summary>
/// Writes a caption (text column) for every row's image features with a trained <see cref="ImageCaptioner"/>.
/// Transform and PredictionEngine decode in C# as the captioner's options say. <c>mlContext.Model.Save</c>
/// writes a greedy captioner as an ONNX graph inside ML.NET's OnnxTransformer (loaded back with plain
/// <c>mlContext.Model.Load</c>, no registration); other decodings cannot be saved yet.
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

    /// <summary>The greedy caption graph (ONNX): features [1, F] → words [MaxCaptionLength], cut at &lt;END&gt;.</summary>
    public void ExportToOnnx(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        stream.Write(Captioner.ExportGreedyGraph());
    }

    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        // The ONNX graph decodes greedily: beam search and sampling exist only in C# so far.
        if (Captioner.Options.Decoding != CaptionDecoding.Greedy)
            throw new NotSupportedException(
                $"Only a greedy captioner can be saved with mlContext.Model.Save (this one uses {Captioner.Options.Decoding}); " +
                "train with Decoding = Greedy, or save the captioner itself with ImageCaptioner.Save.");
        var chain = CaptionChain.Create(Captioner.ExportGreedyGraph(), Captioner.FeatureCount, FeaturesColumnName, OutputColumnName);
        ((ICanSaveModel)chain).Save(ctx);
    }
}
