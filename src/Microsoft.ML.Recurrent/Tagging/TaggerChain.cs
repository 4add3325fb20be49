using Microsoft.ML.Transforms.Text;

namespace Microsoft.ML.Recurrent.Tagging;

/// <summary>
/// The ML.NET pipeline that carries a tagger graph (<see cref="TaggerGraph"/>), made only of built-in steps that
/// <c>mlContext.Model.Save</c> writes and <c>mlContext.Model.Load</c> reads back with no registration: the tokens
/// lower-cased by NormalizeText (when the tagger lower-cases its words; ONNX's StringNormalizer depends on the
/// system's locales) and, with character features, their character stream from TokenizeIntoCharactersAsKeys; ML.NET's
/// OnnxTransformer (the ONNX bytes go into the zip), which writes <c>Score</c>; a value mapping of each predicted
/// index to its label and of the labels to keys over the label column's key values (<c>PredictedLabels</c>); finally
/// the temporary columns are dropped. Both text steps skip empty tokens, so the outputs have one entry per non-empty token.
/// </summary>
internal static class TaggerChain
{
    private const string PredictedNames = "rnn_predicted_names";

    /// <param name="onnx">The tagger graph.</param>
    /// <param name="labels">The tagger's labels in score order.</param>
    /// <param name="keyNames">The label column's key values, in key order (a superset of <paramref name="labels"/>).</param>
    /// <param name="tokenColumn">The token column (a vector of text).</param>
    /// <param name="lowercase">Whether the tagger's vocabulary is lower-cased.</param>
    /// <param name="characters">Whether the graph reads the character stream.</param>
    /// <param name="steps">Whether the token column holds float steps (copied to the graph's input as they are).</param>
    /// <param name="schemaSource">Data with the token column, to bind the steps to.</param>
    public static ITransformer Create(byte[] onnx, IReadOnlyList<string> labels, string[] keyNames, string tokenColumn, bool lowercase, bool characters,
        bool steps, IDataView schemaSource)
    {
        var ml = new MLContext(seed: 0);
        IEstimator<ITransformer> chain = steps ? ml.Transforms.CopyColumns(TaggerGraph.Steps, tokenColumn) : lowercase
            ? ml.Transforms.Text.NormalizeText(TaggerGraph.Words, tokenColumn, TextNormalizingEstimator.CaseMode.Lower,
                keepDiacritics: true, keepPunctuations: true, keepNumbers: true)
            : ml.Transforms.CopyColumns(TaggerGraph.Words, tokenColumn);
        string[] inputs = steps ? [TaggerGraph.Steps] : characters ? [TaggerGraph.Words, TaggerGraph.Units] : [TaggerGraph.Words];
        if (characters) chain = chain.Append(ml.Transforms.Text.TokenizeIntoCharactersAsKeys(TaggerGraph.Units, tokenColumn));
        var names = labels.Select((name, i) => new KeyValuePair<uint, string>((uint)i, name));
        var keyData = ml.Data.LoadFromEnumerable(keyNames.Select(name => new LabelName { Name = name }));
        var fitted = chain.Append(ml.Transforms.ApplyOnnxModel([TaggerGraph.Score, TaggerGraph.PredictedIndex], inputs, new MemoryStream(onnx)))
            .Append(ml.Transforms.Conversion.MapValue(PredictedNames, names, TaggerGraph.PredictedIndex))
            .Append(ml.Transforms.Conversion.MapValueToKey(TaggerColumns.PredictedLabels, PredictedNames, keyData: keyData))
            .Append(ml.Transforms.DropColumns([.. inputs, TaggerGraph.PredictedIndex, PredictedNames]));
        // Nothing is learned: fitting binds the steps to the input schema.
        return fitted.Fit(schemaSource);
    }

    private sealed class LabelName
    {
        public string Name { get; set; } = "";
    }
}
