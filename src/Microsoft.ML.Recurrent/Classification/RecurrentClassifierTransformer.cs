using Microsoft.ML.Data;

namespace Microsoft.ML.Recurrent;

/// <summary>
/// A trained recurrent sequence classifier in an ML.NET pipeline. Binary: adds <c>Score</c> (log-odds),
/// <c>Probability</c> and <c>PredictedLabel</c> (Boolean); multiclass: <c>Score</c> (class probabilities) and
/// <c>PredictedLabel</c> (a key whose values are the label's names), so ML.NET's evaluators and cross-validation
/// work unchanged.
/// </summary>
/// <remarks>
/// The network runs as an ONNX graph (<see cref="ExportToOnnx(Stream)"/>) inside ML.NET's own OnnxTransformer;
/// that chain of built-in transforms is what this transformer applies and what <c>mlContext.Model.Save</c>
/// writes, so plain <c>mlContext.Model.Load</c> in another process gives the same scores with no registration.
/// An empty sequence is scored as one unknown token (key input) or one step of zeros (float input).
/// </remarks>
public sealed class RecurrentClassifierTransformer : ITransformer
{
    private readonly byte[] _onnx;
    private readonly ITransformer _chain;

    internal RecurrentClassifierTransformer(byte[] onnx, ITransformer chain, string featureColumnName, string[] classes)
    {
        _onnx = onnx;
        _chain = chain;
        FeatureColumnName = featureColumnName;
        ClassNames = classes;
    }

    /// <summary>The sequence column the model reads.</summary>
    public string FeatureColumnName { get; }

    /// <summary>The classes in score order ("False", "True" for binary; the label's key values for multiclass).</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Always true: each row is scored on its own.</summary>
    public bool IsRowToRowMapper => _chain.IsRowToRowMapper;

    /// <summary>The input schema plus the score columns.</summary>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => _chain.GetOutputSchema(inputSchema);

    /// <summary>A row-to-row mapper (used by prediction engines).</summary>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => _chain.GetRowToRowMapper(inputSchema);

    /// <summary>Lazily adds the score columns.</summary>
    public IDataView Transform(IDataView input) => _chain.Transform(input);

    /// <summary>Writes the classifier's ONNX graph (the one <c>mlContext.Model.Save</c> stores): input
    /// <c>rnn_sequence</c>, keys or floats [1, steps]; output <c>rnn_log_odds</c> [1] (binary) or <c>Score</c> [classes]
    /// and <c>rnn_predicted_index</c> [1] (multiclass).</summary>
    public void ExportToOnnx(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        stream.Write(_onnx);
    }

    /// <summary>Saves the pipeline of ML.NET transforms this transformer applies.</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => ((ICanSaveModel)_chain).Save(ctx);
}
