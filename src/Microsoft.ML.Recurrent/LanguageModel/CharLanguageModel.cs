using System.Text;
using Microsoft.ML.Recurrent.LanguageModel;
using Microsoft.ML.Recurrent.Onnx;
using Microsoft.ML.Recurrent.Persistence;

namespace Microsoft.ML.Recurrent;

/// <summary>
/// A character-level recurrent language model: trains on any text, generates with temperature and a
/// priming text, saves and loads. Usable without ML.NET pipelines. Generation is thread-safe: every call
/// has its own recurrent state.
/// </summary>
public sealed class CharLanguageModel
{
    /// <summary>Version 2 writes sections and each parameter's shape; version 1 files (a flat weight array) still load.</summary>
    private static readonly ModelKind Kind = new("MLRNNLM1", "character language model", Version: 2);

    private CharLanguageModel(CharVocabulary vocabulary, LanguageNetwork network, double? validationLoss)
    {
        VocabularyMap = vocabulary;
        Network = network;
        ValidationLoss = validationLoss;
    }

    /// <summary>Wraps an existing network (tests, importers).</summary>
    internal static CharLanguageModel FromNetwork(CharVocabulary vocabulary, LanguageNetwork network) => new(vocabulary, network, null);

    internal CharVocabulary VocabularyMap { get; }
    internal LanguageNetwork Network { get; }

    /// <summary>Trains a model on <paramref name="text"/>.</summary>
    /// <param name="text">The training text (its last <see cref="RecurrentTrainerOptions.ValidationFraction"/> is held out for validation).</param>
    /// <param name="options">Training options; null for the defaults (which stop after 10 epochs).</param>
    /// <param name="progress">Receives progress reports (iteration, epoch, losses, throughput, time left).</param>
    /// <param name="cancellationToken">Cancels training (an <see cref="OperationCanceledException"/>; the last checkpoint stays).</param>
    public static CharLanguageModel Train(string text, CharLanguageModelOptions? options = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
        => Train(text, options, progress, log: null, cancellationToken);

    internal static CharLanguageModel Train(string text, CharLanguageModelOptions? options, IProgress<TrainingProgress>? progress,
        Action<string>? log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(text);
        options ??= new CharLanguageModelOptions { MaxEpochs = 10 };
        var trainer = LanguageModelTrainer.Run(text, options, progress, log, cancellationToken);
        return new CharLanguageModel(trainer.Vocabulary, trainer.Network, trainer.Loop.BestValidationCriterion);
    }

    /// <summary>Trains a model on a UTF-8 text file.</summary>
    public static CharLanguageModel TrainFromFile(string path, CharLanguageModelOptions? options = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
        => Train(ReadUtf8Text(path), options, progress, cancellationToken);

    /// <summary>
    /// Reads a text file that must be valid UTF-8 (a byte-order mark is allowed); other encodings are an
    /// error that says where the first invalid byte is, instead of silently turning into replacement characters.
    /// </summary>
    public static string ReadUtf8Text(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"The text file '{path}' does not exist.", path);
        byte[] bytes = File.ReadAllBytes(path);
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes).TrimStart('\uFEFF');
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidDataException($"The file '{path}' is not valid UTF-8 (invalid byte at offset {e.Index}); convert it to UTF-8 first.", e);
        }
    }

    /// <summary>
    /// Generates <paramref name="maxLength"/> characters following <paramref name="prime"/> (which is not
    /// repeated in the result). Temperature 0 is greedy (argmax) decoding. The same seed gives the same text.
    /// </summary>
    /// <remarks>
    /// A character the model never saw is an error here, so a caller learns that the prompt is not what the model
    /// was trained on. The ML.NET transformer and the exported generator graph skip such characters instead: a
    /// served row has nobody to show an exception to. With every character known, the texts are the same.
    /// </remarks>
    /// <exception cref="ArgumentException">The prime contains a character the model never saw.</exception>
    public string Generate(string prime, int maxLength, float temperature = 1f, int seed = 0)
        => string.Concat(GenerateCharacters(prime, maxLength, temperature, seed));

    /// <summary>
    /// Like <see cref="Generate"/>, but yields each character (a Unicode scalar, as a string) as soon as it
    /// is sampled, for streaming.
    /// </summary>
    public IEnumerable<string> GenerateCharacters(string prime, int maxLength, float temperature = 1f, int seed = 0)
        => new Sampler(Network, VocabularyMap).Generate(prime, maxLength, temperature, seed);

    /// <summary>Average negative log-likelihood (nats per character) of <paramref name="text"/> under the model.</summary>
    public double Evaluate(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = VocabularyMap.Encode(text);
        return new LossEvaluator(Network, TextStreams.ForEvaluation(ids, 50, 50, "text")).Evaluate();
    }

    /// <summary>
    /// Reads <paramref name="text"/> from the zero state and returns what every layer computed at every step: the
    /// hidden state, the LSTM cell state and the gate activations — to see what individual cells track (quotes,
    /// nesting depth, line position) with <see cref="CellSearch"/> or by colouring the text by a unit's trace.
    /// </summary>
    /// <exception cref="ArgumentException">The text is empty or contains a character the model never saw.</exception>
    public LanguageModelActivations Inspect(string text)
    {
        ArgumentException.ThrowIfNullOrEmpty(text);
        var ids = VocabularyMap.Encode(text);
        var characters = text.EnumerateRunes().Select(r => r.ToString()).ToArray();
        return LanguageModelActivations.Record(Network, characters, ids);
    }

    /// <summary>
    /// Writes the model to a file (atomically: a crash or an error never leaves a half-written model, and an
    /// existing file stays as it was until the new one is complete). The file is the stream format of
    /// <see cref="Save(Stream)"/>.
    /// </summary>
    /// <param name="path">The file to write; its folder is created if needed.</param>
    public void Save(string path) => ModelFile.Save(path, Kind, Write);

    /// <summary>
    /// Writes the model to <paramref name="stream"/> at its current position: a checked container (magic
    /// <c>MLRNNLM1</c>, format version, length, CRC-32) holding the shape, vocabulary and weights.
    /// </summary>
    /// <param name="stream">A writable stream; it is left open.</param>
    /// <exception cref="ArgumentException">The stream is not writable.</exception>
    public void Save(Stream stream) => ModelFile.Save(stream, Kind, Write);

    /// <summary>Reads a model written by <see cref="Save(string)"/> (of this or an earlier version of the library).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a model, or is truncated or corrupt, or comes from a newer library.</exception>
    public static CharLanguageModel Load(string path) => ModelFile.Load(path, Kind, Read);

    /// <summary>
    /// Reads a model written by <see cref="Save(Stream)"/> from the stream's current position, and leaves the
    /// stream just after it.
    /// </summary>
    /// <param name="stream">A readable stream; it is left open.</param>
    /// <exception cref="ArgumentException">The stream is not readable.</exception>
    /// <exception cref="InvalidDataException">The data is not a model, or is truncated or corrupt, or comes from a newer library.</exception>
    public static CharLanguageModel Load(Stream stream) => ModelFile.Load(stream, Kind, Read);

    // Version 2 sections (version 1 holds the same fields without section framing, its weights one flat array).
    private void Write(ModelWriter w)
    {
        w.Section("network", s => LanguageModelSerializer.WriteShape(s, VocabularyMap, Network.Shape));
        w.Parameters(Network.Parameters);
        w.Section("training", s => s.Write(ValidationLoss ?? double.NaN));
    }

    private static CharLanguageModel Read(ModelReader r)
    {
        var (vocabulary, shape) = r.Section("network", s => LanguageModelSerializer.ReadShape(s, Kind.What));
        r.EnsureRemaining(4 * LanguageNetwork.CountParameters(shape));
        var network = new LanguageNetwork(shape);
        r.Parameters(network.Parameters);
        double validation = r.Section("training", s => s.ReadDouble());
        return new CharLanguageModel(vocabulary, network, double.IsNaN(validation) ? null : validation);
    }

    /// <summary>
    /// Writes the model as an ONNX graph of the next-character distribution (opset 17, IR 8, native ONNX
    /// RNN/LSTM/GRU ops): input <c>token_ids</c> (int64 [sequence], vocabulary indices) → output
    /// <c>probabilities</c> (float [sequence, V]). The vocabulary (code points in index order), cell and sizes are
    /// in the model's metadata (keys <c>ml_recurrent.*</c>); <see cref="LoadOnnx(Stream)"/> reads it back.
    /// </summary>
    public void ExportToOnnx(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        stream.Write(OnnxExport.LanguageModel(VocabularyMap, Network, ValidationLoss));
    }

    /// <summary>
    /// Writes a self-contained ONNX text generator: input <c>prompt_units</c> (uint16 [1, n], the prompt's UTF-16
    /// code units) → outputs <c>generated_ids</c> (int64 [maxLength]) and <c>generated_chars</c> (string
    /// [maxLength]), decoded by an ONNX <c>Loop</c> exactly as <see cref="Generate"/> does with these settings
    /// (characters of the prompt the model does not know are skipped). Temperature sampling replays this seed's
    /// random stream, stored in the graph, so every run gives the same text.
    /// </summary>
    /// <param name="stream">Where to write the graph.</param>
    /// <param name="maxLength">Number of characters the graph generates.</param>
    /// <param name="temperature">Sampling temperature; 0 is greedy decoding.</param>
    /// <param name="seed">Seed of the sampling stream.</param>
    public void ExportGeneratorToOnnx(Stream stream, int maxLength, float temperature = 0f, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(stream);
        stream.Write(ExportGenerator(maxLength, temperature, seed));
    }

    /// <summary>The generator graph; with <paramref name="uniformsInput"/> it reads its sampling uniforms from an input instead of <paramref name="seed"/>.</summary>
    internal byte[] ExportGenerator(int maxLength, float temperature, int seed, bool uniformsInput = false)
        => OnnxExport.Generator(VocabularyMap, Network, ValidationLoss, GeneratorGraph.Settings(maxLength, temperature, seed, uniformsInput));

    /// <summary>
    /// Reads a model from an ONNX graph written by <see cref="ExportToOnnx"/> or <see cref="ExportGeneratorToOnnx"/>,
    /// or from an ML.NET model zip (<c>mlContext.Model.Save</c>) holding a <see cref="CharLanguageModelTransformer"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">The data is not such a model, or is truncated, altered or corrupt.</exception>
    public static CharLanguageModel LoadOnnx(Stream stream)
    {
        var imported = OnnxImport.Read(stream);
        return new CharLanguageModel(imported.Vocabulary, imported.Network, imported.ValidationLoss);
    }

    /// <summary>Reads a model from a .onnx file or an ML.NET model zip; see <see cref="LoadOnnx(Stream)"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not such a model, or is truncated, altered or corrupt.</exception>
    public static CharLanguageModel LoadOnnx(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"The model file '{path}' does not exist.", path);
        using var stream = File.OpenRead(path);
        return LoadOnnx(stream);
    }

    /// <summary>
    /// Imports a character model trained elsewhere and exported to ONNX — in PyTorch: one-hot input
    /// (<c>F.one_hot(ids, V).float()</c>) or <c>nn.Embedding</c> → <c>nn.LSTM</c>, <c>nn.GRU</c> or <c>nn.RNN</c> (tanh;
    /// 1 or more layers, unidirectional, batch_first or not) → <c>nn.Linear</c> to the vocabulary's logits (optionally
    /// followed by a softmax), written by <c>torch.onnx.export</c>. The result computes the same next-character
    /// distributions and is a model like any other: it generates, exports with <see cref="ExportToOnnx"/>, saves with
    /// <see cref="Save(string)"/> and goes into an ML.NET pipeline as a <see cref="CharLanguageModelTransformer"/>.
    /// See docs/pytorch-import.md for the export call and what is refused.
    /// </summary>
    /// <param name="stream">The .onnx bytes (read to the end).</param>
    /// <param name="vocabulary">The model's tokens in index order: entry i is the character (one Unicode scalar value,
    /// e.g. "a", "\n", "é") that the PyTorch model's token id i stands for. Entries must be distinct; special tokens
    /// (padding, unknown, end of text) cannot be imported. Usually the JSON list the training script wrote
    /// (<c>json.dump(chars, f)</c>), read back with <c>JsonSerializer.Deserialize&lt;string[]&gt;</c>.</param>
    /// <returns>The imported model (its <see cref="Vocabulary"/> is sorted by code point, as this library's always are;
    /// the weights are reordered to match).</returns>
    /// <exception cref="ArgumentException">The vocabulary is empty, has an entry that is not one character or a
    /// repeated one, or its size differs from the model's.</exception>
    /// <exception cref="InvalidDataException">The graph is not such a model (a bidirectional or projected LSTM, a GRU
    /// without linear_before_reset, another operator, a non-zero initial state, ...): the message names the node.</exception>
    public static CharLanguageModel ImportPyTorchOnnx(Stream stream, IReadOnlyList<string> vocabulary)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(vocabulary);
        string source = stream is FileStream file ? $"'{file.Name}'" : "the data";
        return PyTorchImport.Read(OnnxImport.ReadAll(stream), vocabulary, source);
    }

    /// <summary>Imports a character model from a .onnx file written by <c>torch.onnx.export</c>; see <see cref="ImportPyTorchOnnx(Stream, IReadOnlyList{string})"/>.</summary>
    /// <param name="path">The .onnx file.</param>
    /// <param name="vocabulary">The model's tokens in index order (entry i = the character of token id i).</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ArgumentException">The vocabulary is not one distinct character per token of the model.</exception>
    /// <exception cref="InvalidDataException">The graph is not such a model; the message names what was found.</exception>
    public static CharLanguageModel ImportPyTorchOnnx(string path, IReadOnlyList<string> vocabulary)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"The model file '{path}' does not exist.", path);
        using var stream = File.OpenRead(path);
        return ImportPyTorchOnnx(stream, vocabulary);
    }

    /// <summary>The characters the model knows, in index order.</summary>
    public IReadOnlyList<string> Vocabulary => VocabularyMap.Symbols;

    /// <summary>Recurrent cell.</summary>
    public RecurrentCell Cell => Network.Shape.Cell;

    /// <summary>Hidden units per layer.</summary>
    public int HiddenSize => Network.Shape.Hidden;

    /// <summary>Number of recurrent layers.</summary>
    public int Layers => Network.Shape.Layers;

    /// <summary>Number of trainable parameters.</summary>
    public int ParameterCount => Network.Parameters.Count;

    /// <summary>Best validation loss (nats per character) seen in training, if a validation split was used.</summary>
    public double? ValidationLoss { get; }
}
