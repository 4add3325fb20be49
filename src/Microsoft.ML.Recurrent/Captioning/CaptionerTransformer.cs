using Microsoft.ML.Data;

namespace Microsoft.ML.Recurrent;

/// <summary>
/// Writes a caption (text column) for every row's image features with a trained <see cref="ImageCaptioner"/>,
/// decoded as its <see cref="CaptionerOptions.Decoding"/> says.
/// </summary>
/// <remarks>
/// The captioner runs as its ONNX decode graph (<see cref="ExportToOnnx"/>, an ONNX <c>Loop</c>) inside
/// ML.NET's own OnnxTransformer, in <see cref="Transform"/>, in prediction engines, and in what
/// <c>mlContext.Model.Save</c> writes (loaded back with plain <c>mlContext.Model.Load</c>, no registration): one
/// engine, so the captions before saving, after loading and in another process are the same. Greedy decoding writes
/// what <see cref="ImageCaptioner.Caption(ReadOnlySpan{float})"/> writes; sampling replays the sampler's random stream
/// of the captioner's seed (the same for every row, as <c>Caption</c> starts it afresh for each image), so it writes
/// the same captions too, except where a uniform falls within float rounding of a cumulative boundary. Beam search
/// runs as a Loop over <see cref="CaptionerOptions.BeamSize"/> rows of states that keeps the C# beam search's
/// hypotheses and picks its best sentence by the same rule.
/// </remarks>
public sealed class CaptionerTransformer : ITransformer
{
    private readonly byte[] _onnx;
    private readonly ITransformer _chain;

    /// <summary>Wraps a trained captioner.</summary>
    /// <param name="captioner">The trained captioner.</param>
    /// <param name="outputColumnName">Column that receives the caption text.</param>
    /// <param name="featuresColumnName">Vector-of-Single column holding the image features.</param>
    /// <exception cref="ArgumentException">A column name is one the pipeline uses internally.</exception>
    public CaptionerTransformer(ImageCaptioner captioner, string outputColumnName, string featuresColumnName)
    {
        ArgumentNullException.ThrowIfNull(captioner);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(featuresColumnName);
        foreach (string name in new[] { featuresColumnName, outputColumnName }.Where(CaptionChain.TemporaryColumns.Contains))
            throw new ArgumentException($"Column name '{name}' is used internally by the captioning pipeline; choose another name.");
        Captioner = captioner;
        OutputColumnName = outputColumnName;
        FeaturesColumnName = featuresColumnName;
        _onnx = captioner.ExportGraph();
        _chain = CaptionChain.Create(_onnx, captioner.FeatureCount, featuresColumnName, outputColumnName);
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
        return _chain.GetOutputSchema(inputSchema);
    }

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        CaptionMapping.CheckFeatures(inputSchema, FeaturesColumnName, Captioner.FeatureCount, nameof(inputSchema));
        return _chain.GetRowToRowMapper(inputSchema);
    }

    /// <inheritdoc />
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CaptionMapping.CheckFeatures(input.Schema, FeaturesColumnName, Captioner.FeatureCount, nameof(input));
        return _chain.Transform(input);
    }

    /// <summary>
    /// Writes the caption graph this transformer runs and saves (ONNX): features [1, F] → words
    /// [MaxCaptionLength], cut at &lt;END&gt;.
    /// </summary>
    public void ExportToOnnx(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        stream.Write(_onnx);
    }

    /// <summary>Saves the chain of ML.NET transforms this transformer applies (see the remarks).</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => ((ICanSaveModel)_chain).Save(ctx);
}
