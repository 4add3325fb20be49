namespace Microsoft.ML.Recurrent.Translation;

/// <summary>
/// What a <see cref="SequenceTranslatorTransformer"/> runs and saves: the source column (a key vector read as its
/// text values by MapKeyToValue) → the graph's input → ML.NET's OnnxTransformer running <see cref="TranslatorGraph"/>
/// → <see cref="JoinTokensMapping"/> → the output column; the temporary columns are dropped. Every step is built into
/// ML.NET or registered by contract, so <c>mlContext.Model.Save/Load</c> work unchanged, and the outputs before Save
/// are the outputs after Load because the same engine writes both.
/// </summary>
internal static class TranslatorChain
{
    /// <summary>Column names the chain uses for a while; user columns may not use them.</summary>
    public static readonly string[] TemporaryColumns = [TranslatorGraph.Input, TranslatorGraph.Tokens, JoinTokensMapping.TextColumn];

    /// <param name="onnx">The translation graph.</param>
    /// <param name="sourceColumnName">The source column.</param>
    /// <param name="keys">Whether it holds keys (read as their text values) rather than text.</param>
    /// <param name="outputColumnName">The column that receives the joined output.</param>
    /// <param name="schemaSource">Data with the source column, to bind the steps to.</param>
    public static ITransformer Create(byte[] onnx, string sourceColumnName, bool keys, string outputColumnName, IDataView schemaSource)
    {
        var ml = new MLContext(seed: 0);
        IEstimator<ITransformer> input = keys
            ? ml.Transforms.Conversion.MapKeyToValue(TranslatorGraph.Input, sourceColumnName)
            : ml.Transforms.CopyColumns(TranslatorGraph.Input, sourceColumnName);
        var chain = input
            .Append(ml.Transforms.ApplyOnnxModel([TranslatorGraph.Tokens], [TranslatorGraph.Input], new MemoryStream(onnx)))
            .Append(ml.Transforms.CustomMapping(new JoinTokensMapping().GetMapping(), JoinTokensMapping.ContractName))
            .Append(ml.Transforms.CopyColumns(outputColumnName, JoinTokensMapping.TextColumn))
            .Append(ml.Transforms.DropColumns(TemporaryColumns));
        // Nothing is learned: fitting only binds the steps to the input schema.
        return chain.Fit(schemaSource);
    }
}
