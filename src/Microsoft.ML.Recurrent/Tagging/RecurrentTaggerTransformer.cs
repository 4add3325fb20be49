using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Tagging;

namespace Microsoft.ML.Recurrent;

/// <summary>
/// A trained recurrent sequence tagger in an ML.NET pipeline: adds <c>PredictedLabels</c> (a key per token whose values
/// are the label column's) and <c>Score</c> (each token's label probabilities, one token after the other).
/// </summary>
/// <remarks>
/// The network runs as an ONNX graph (<see cref="ExportToOnnx(Stream)"/>) inside ML.NET's own OnnxTransformer, after
/// ML.NET's NormalizeText and TokenizeIntoCharactersAsKeys have given it the tokens and their characters; that chain
/// of built-in transforms is what this transformer applies and what <c>mlContext.Model.Save</c> writes, so plain
/// <c>mlContext.Model.Load</c> in another process gives the same tags with no registration. A sentence with no tokens
/// gets empty outputs; empty tokens are skipped by the text transforms, so they get no label.
/// </remarks>
public sealed class RecurrentTaggerTransformer : ITransformer
{
    private readonly byte[] _onnx;
    private readonly ITransformer _chain;

    /// <summary>The tagger's graph and the ML.NET chain around it, bound to <paramref name="schemaSource"/>'s token column.</summary>
    /// <param name="tagger">The trained tagger.</param>
    /// <param name="keyNames">The label column's key values, in key order (a superset of the tagger's labels).</param>
    /// <param name="tokenColumnName">The token column.</param>
    /// <param name="schemaSource">Data with the token column.</param>
    internal RecurrentTaggerTransformer(SequenceTagger tagger, string[] keyNames, string tokenColumnName, IDataView schemaSource)
    {
        var vocabulary = tagger.Vocabulary;
        bool characters = tagger.Network.Shape.CharacterFeatures;
        _onnx = TaggerWeights.ToOnnx(tagger.Network, tagger.ReadsSteps ? null : vocabulary.Words, characters ? vocabulary.CharacterIds : null);
        _chain = TaggerChain.Create(_onnx, tagger.Labels, keyNames, tokenColumnName, vocabulary.Lowercase, characters, tagger.ReadsSteps, schemaSource);
        TokenColumnName = tokenColumnName;
        Tagger = tagger;
    }

    /// <summary>The token column the model reads.</summary>
    public string TokenColumnName { get; }

    /// <summary>The labels in score order (the labels seen in training).</summary>
    public IReadOnlyList<string> Labels => Tagger.Labels;

    /// <summary>The trained tagger (the core API's model, e.g. to save it on its own).</summary>
    public SequenceTagger Tagger { get; }

    /// <summary>Always true: each row is tagged on its own.</summary>
    public bool IsRowToRowMapper => _chain.IsRowToRowMapper;

    /// <summary>The input schema plus <c>Score</c> and <c>PredictedLabels</c>.</summary>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => _chain.GetOutputSchema(inputSchema);

    /// <summary>A row-to-row mapper (used by prediction engines).</summary>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => _chain.GetRowToRowMapper(inputSchema);

    /// <summary>Lazily adds the tag columns.</summary>
    public IDataView Transform(IDataView input) => _chain.Transform(input);

    /// <summary>Writes the tagger's ONNX graph (the one <c>mlContext.Model.Save</c> stores): inputs <c>rnn_words</c>, the
    /// tokens as text [1, steps] (lower-cased when the tagger lower-cases words) and, with character features,
    /// <c>rnn_units</c>, their characters as TokenizeIntoCharactersAsKeys writes them (uint16 [1, K]); outputs
    /// <c>Score</c> [1, steps, labels] and <c>rnn_predicted_indices</c> (uint32 [1, steps], indices into <see cref="Labels"/>).</summary>
    public void ExportToOnnx(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        stream.Write(_onnx);
    }

    /// <summary>Saves the pipeline of ML.NET transforms this transformer applies.</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => ((ICanSaveModel)_chain).Save(ctx);
}
