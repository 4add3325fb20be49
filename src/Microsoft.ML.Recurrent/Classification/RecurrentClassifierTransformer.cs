using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Classification;
using Microsoft.ML.Recurrent.Onnx;

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

    /// <summary>
    /// Imports a binary sentence classifier trained in PyTorch and exported with <c>torch.onnx.export</c>:
    /// <c>nn.Embedding(K + 1, e, padding_idx=0)</c> → <c>nn.LSTM</c>, <c>nn.GRU</c> or <c>nn.RNN</c> (tanh; 1 or more layers,
    /// unidirectional, batch_first or not) → <c>h_n[-1]</c> → <c>nn.Linear</c> to one logit (the log-odds of the positive
    /// class) or two (negative, positive). The result is the transformer <see cref="RecurrentClassifierEstimator.Fit"/>
    /// gives: it reads the key-typed token sequence that <c>TokenizeIntoWords</c> + <c>MapValueToKey</c> produce, adds
    /// <c>Score</c> (log-odds), <c>Probability</c> and <c>PredictedLabel</c>, and saves with <c>mlContext.Model.Save</c>.
    /// See docs/pytorch-import.md.
    /// </summary>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <param name="path">The .onnx file.</param>
    /// <param name="tokens">The model's words: token id i (1..K) is <c>tokens[i − 1]</c>; id 0 is the unknown word (and
    /// the padding). Build the key column with <c>MapValueToKey(..., keyData: tokens)</c> so that the key values follow
    /// this order.</param>
    /// <param name="featureColumnName">The key-vector token column the transformer reads.</param>
    /// <returns>A transformer that computes the PyTorch model's probabilities.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ArgumentException">The token list is empty, has a null, empty or repeated entry, or its size is
    /// not the model's vocabulary less the unknown id.</exception>
    /// <exception cref="InvalidDataException">The graph is not such a model (a bidirectional layer, a softmax at the end,
    /// mean pooling, more logits, ...): the message names the node.</exception>
    public static RecurrentClassifierTransformer ImportBinaryPyTorchOnnx(MLContext mlContext, string path, IReadOnlyList<string> tokens,
        string featureColumnName = "Features")
        => Import(mlContext, path, tokens, null, featureColumnName);

    /// <summary>
    /// Imports a multiclass sentence classifier trained in PyTorch: as <see cref="ImportBinaryPyTorchOnnx"/>, with
    /// <c>nn.Linear</c> to one logit per class. The transformer adds <c>Score</c> (class probabilities, the slots named
    /// after the classes) and <c>PredictedLabel</c> (a key whose values are <paramref name="classes"/>).
    /// </summary>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <param name="path">The .onnx file.</param>
    /// <param name="tokens">The model's words: token id i (1..K) is <c>tokens[i − 1]</c>; id 0 is the unknown word.</param>
    /// <param name="classes">The class names in logit order (at least two, distinct).</param>
    /// <param name="featureColumnName">The key-vector token column the transformer reads.</param>
    /// <returns>A transformer that computes the PyTorch model's probabilities.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ArgumentException">The tokens or classes are invalid or do not match the model's sizes.</exception>
    /// <exception cref="InvalidDataException">The graph is not such a model: the message names the node.</exception>
    public static RecurrentClassifierTransformer ImportMulticlassPyTorchOnnx(MLContext mlContext, string path, IReadOnlyList<string> tokens,
        IReadOnlyList<string> classes, string featureColumnName = "Features")
    {
        ArgumentNullException.ThrowIfNull(classes);
        return Import(mlContext, path, tokens, classes, featureColumnName);
    }

    private static RecurrentClassifierTransformer Import(MLContext mlContext, string path, IReadOnlyList<string> tokens,
        IReadOnlyList<string>? classes, string featureColumnName)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentException.ThrowIfNullOrWhiteSpace(featureColumnName);
        Distinct(tokens, nameof(tokens), 1);
        bool binary = classes is null;
        if (!binary) Distinct(classes!, nameof(classes), 2);
        if (!File.Exists(path)) throw new FileNotFoundException($"The model file '{path}' does not exist.", path);
        string[] names = binary ? ["False", "True"] : [.. classes!];
        var network = PyTorchClassifierImport.Read(File.ReadAllBytes(path), tokens.Count + 1, binary, names.Length, $"'{path}'");
        byte[] onnx = ClassifierWeights.ToOnnx(network, binary, ElementType.UInt32, binary ? null : names);
        // The column MapValueToKey(keyData: tokens) makes: the chain is bound to that schema, as Fit binds it to the training data's.
        var words = mlContext.Data.LoadFromEnumerable(new[] { new WordsRow() });
        var keyData = mlContext.Data.LoadFromEnumerable(tokens.Select(t => new TokenRow { Token = t }));
        var keyed = mlContext.Transforms.Conversion.MapValueToKey(featureColumnName, WordsRow.Column, keyData: keyData).Fit(words).Transform(words);
        var chain = ClassifierChain.Create(onnx, binary, names, featureColumnName, keyed);
        return new RecurrentClassifierTransformer(onnx, chain, featureColumnName, names);
    }

    private static void Distinct(IReadOnlyList<string> values, string name, int least)
    {
        ArgumentNullException.ThrowIfNull(values, name);
        if (values.Count < least) throw new ArgumentException($"{values.Count} entries are too few; at least {least} are needed.", name);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < values.Count; i++)
        {
            if (string.IsNullOrEmpty(values[i])) throw new ArgumentException($"Entry {i} is null or empty.", name);
            if (!seen.TryAdd(values[i], i)) throw new ArgumentException($"Entries {seen[values[i]]} and {i} are both \"{values[i]}\"; entries must be distinct.", name);
        }
    }

    private sealed class WordsRow
    {
        public const string Column = "rnn_words";

        [ColumnName(Column)]
        public string[] Words { get; set; } = [];
    }

    private sealed class TokenRow
    {
        public string Token { get; set; } = "";
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
