using System.Text.Json;
using Microsoft.ML.Recurrent.Onnx;
using Microsoft.ML.Recurrent.Tests.MLNet;
using Xunit;
using Xunit.Abstractions;

namespace Microsoft.ML.Recurrent.Tests.Onnx;

/// <summary>
/// Character models trained and exported by PyTorch (PyTorch/train_char_model.py, run with Debian's python3-torch)
/// import with <see cref="CharLanguageModel.ImportPyTorchOnnx(string, IReadOnlyList{string})"/> and give torch's
/// next-character distributions. Where torch is missing the tests fail under CI (which installs it) and otherwise
/// pass saying that nothing was compared.
/// </summary>
public sealed class PyTorchImportTests(PyTorchModels models, ITestOutputHelper output) : IClassFixture<PyTorchModels>
{
    // Measured max |ours − torch| over the prompts' next-character probabilities (float32 vs torch's float32, torch on one thread):
    // LSTM 1 one-hot 1.0e-7, LSTM 2 embedding 1.4e-7, LSTM 3 embedding batch_first 1.0e-7, GRU 1 one-hot batch_first
    // 5.5e-8, GRU 2 embedding 1.0e-7, RNN 1 one-hot 6.7e-8, RNN 2 embedding batch_first 3.9e-8, GRU 1 embedding batch_first
    // rows (Gemm, log_softmax) 8.5e-8; the tolerance is just above.
    private const double Tolerance = 5e-7;

    /// <summary>Cell, layers, input, batch_first, and the head: "linear" (nn.Linear on [seq, batch, H]: MatMul + Add) or
    /// "rows" (flattened to [seq·batch, H], nn.Linear as Gemm, then log_softmax).</summary>
    public static TheoryData<string, int, string, bool, string> Models() => new()
    {
        { "lstm", 1, "onehot", false, "linear" },
        { "lstm", 2, "embedding", false, "linear" },
        { "lstm", 3, "embedding", true, "linear" },
        { "gru", 1, "onehot", true, "linear" },
        { "gru", 2, "embedding", false, "linear" },
        { "rnn", 1, "onehot", false, "linear" },
        { "rnn", 2, "embedding", true, "linear" },
        { "gru", 1, "embedding", true, "rows" },
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void Imported_model_gives_torchs_next_character_probabilities(string cell, int layers, string input, bool batchFirst, string head)
    {
        if (Train(cell, layers, input, batchFirst, extra: head == "rows" ? ["--flatten", "--log-softmax"] : []) is not { } dir) return;
        var (vocabulary, expected) = ReadExpected(dir);
        var model = CharLanguageModel.ImportPyTorchOnnx(Path.Combine(dir, "model.onnx"), vocabulary);

        Assert.Equal(layers, model.Layers);
        Assert.Equal(cell switch { "lstm" => RecurrentCell.Lstm, "gru" => RecurrentCell.Gru, _ => RecurrentCell.Rnn }, model.Cell);
        Assert.Equal(vocabulary.OrderBy(c => char.ConvertToUtf32(c, 0)), model.Vocabulary);
        double worst = MaxDifference(model, vocabulary, expected);
        output.WriteLine($"{cell} {layers} {input}{(batchFirst ? " batch_first" : "")} {head}: max |ours - torch| = {worst:E2}");
        Assert.True(worst <= Tolerance, $"The imported model's probabilities differ from torch's by up to {worst:E2}.");
    }

    [Fact]
    public void Imported_model_generates_exports_saves_and_runs_in_an_MLNet_pipeline()
    {
        if (Train("lstm", 2, "embedding", batchFirst: false, extra: []) is not { } dir) return; // the theory's model, trained once
        var (vocabulary, expected) = ReadExpected(dir);
        var model = CharLanguageModel.ImportPyTorchOnnx(Path.Combine(dir, "model.onnx"), vocabulary);

        string text = model.Generate("ROMEO:\n", 40, temperature: 0.8f, seed: 3);
        Assert.Equal(40, text.EnumerateRunes().Count());
        Assert.All(text.EnumerateRunes(), r => Assert.Contains(r.ToString(), vocabulary));

        // our own ONNX graph of it, and our binary format, read back: the same distributions
        using var onnx = new MemoryStream();
        model.ExportToOnnx(onnx);
        OnnxTestModels.Check(output, onnx.ToArray());
        var reread = CharLanguageModel.LoadOnnx(new MemoryStream(onnx.ToArray()));
        Assert.True(MaxDifference(reread, vocabulary, expected) <= Tolerance);
        using var saved = new MemoryStream();
        model.Save(saved);
        saved.Position = 0;
        Assert.Equal(text, CharLanguageModel.Load(saved).Generate("ROMEO:\n", 40, temperature: 0.8f, seed: 3));

        // an ML.NET transformer around it, saved and loaded with mlContext.Model: the text Generate gives
        var ml = new MLContext(seed: 1);
        var transformer = new CharLanguageModelTransformer(model, "Continuation", "Body", maxLength: 40, temperature: 0.8f, seed: 3);
        var data = ml.Data.LoadFromEnumerable(new[] { new PromptInput { Prompt = "ROMEO:\n" } });
        using var zip = new MemoryStream();
        ml.Model.Save(transformer, data.Schema, zip);
        zip.Position = 0;
        var loaded = new MLContext(seed: 2).Model.Load(zip, out _);
        var engine = ml.Model.CreatePredictionEngine<PromptInput, ContinuationOutput>(loaded);
        Assert.Equal(text, engine.Predict(new PromptInput { Prompt = "ROMEO:\n" }).Text);
    }

    [Fact]
    public void Bidirectional_LSTM_is_refused_with_a_message_that_names_it()
    {
        if (Train("lstm", 1, "onehot", batchFirst: false, extra: ["--bidirectional", "--steps", "1"]) is not { } dir) return;
        var (vocabulary, _) = ReadExpected(dir);
        var e = Assert.Throws<InvalidDataException>(() => CharLanguageModel.ImportPyTorchOnnx(Path.Combine(dir, "model.onnx"), vocabulary));
        Assert.Contains("LSTM node", e.Message, StringComparison.Ordinal);
        Assert.Contains("bidirectional", e.Message, StringComparison.Ordinal);
        output.WriteLine(e.Message);
    }

    /// <summary>torch's GRU graph, altered: a GRU that resets before the recurrent product, or an operator we do not know.</summary>
    [Theory]
    [InlineData("linear_before_reset", "linear_before_reset = 0")]
    [InlineData("operator", "Abs node")]
    public void Altered_graph_is_refused_with_a_message_that_names_the_node(string change, string expected)
    {
        if (Train("gru", 1, "onehot", batchFirst: true, extra: []) is not { } dir) return; // the theory's model, trained once
        var (vocabulary, _) = ReadExpected(dir);
        var model = OnnxFormat.Read(File.ReadAllBytes(Path.Combine(dir, "model.onnx")));
        var nodes = model.Graph.Nodes;
        int at = nodes.FindIndex(n => n.OpType == (change == "operator" ? "Cast" : "GRU"));
        nodes[at] = change == "operator"
            ? nodes[at] with { OpType = "Abs", Attributes = [] }
            : nodes[at] with { Attributes = [.. nodes[at].Attributes.Where(a => a.Name != "linear_before_reset"), AttributeProto.Of("linear_before_reset", 0L)] };
        var e = Assert.Throws<InvalidDataException>(() => CharLanguageModel.ImportPyTorchOnnx(new MemoryStream(OnnxFormat.Write(model)), vocabulary));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        output.WriteLine(e.Message);
    }

    [Fact]
    public void Vocabulary_must_be_one_distinct_character_per_token()
    {
        if (Train("rnn", 1, "onehot", batchFirst: false, extra: []) is not { } dir) return; // the theory's model, trained once
        var (vocabulary, _) = ReadExpected(dir);
        string path = Path.Combine(dir, "model.onnx");
        Assert.Contains("has 58 characters", Assert.Throws<ArgumentException>(() => CharLanguageModel.ImportPyTorchOnnx(path, vocabulary.Skip(1).ToList())).Message);
        Assert.Contains("exactly one character", Assert.Throws<ArgumentException>(() => CharLanguageModel.ImportPyTorchOnnx(path, ["<pad>", .. vocabulary.Skip(1)])).Message);
        Assert.Contains("distinct", Assert.Throws<ArgumentException>(() => CharLanguageModel.ImportPyTorchOnnx(path, [vocabulary[1], .. vocabulary.Skip(1)])).Message);
    }

    // Max |ours − torch| over every prompt's distribution after the whole prompt.
    private static double MaxDifference(CharLanguageModel model, string[] vocabulary, List<(string Prompt, double[] Probabilities)> expected)
    {
        double worst = 0;
        foreach (var (prompt, torch) in expected)
        {
            var ids = model.VocabularyMap.Encode(prompt);
            var ours = OnnxTestModels.OurProbabilities(model, ids);
            int v = model.Vocabulary.Count, last = (ids.Length - 1) * v;
            for (int i = 0; i < vocabulary.Length; i++)
            {
                Assert.True(model.VocabularyMap.TryGetIndex(char.ConvertToUtf32(vocabulary[i], 0), out int ourIndex));
                worst = Math.Max(worst, Math.Abs(ours[last + ourIndex] - torch[i]));
            }
        }
        return worst;
    }

    private static (string[] Vocabulary, List<(string Prompt, double[] Probabilities)> Expected) ReadExpected(string dir)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "expected.json")));
        string[] vocabulary = [.. json.RootElement.GetProperty("vocabulary").EnumerateArray().Select(e => e.GetString()!)];
        var expected = json.RootElement.GetProperty("expected").EnumerateArray()
            .Select(e => (e.GetProperty("prompt").GetString()!, e.GetProperty("probabilities").EnumerateArray().Select(p => p.GetDouble()).ToArray()))
            .ToList();
        return (vocabulary, expected);
    }

    // The folder the training script wrote for these arguments; null (after saying so) when torch is missing outside CI.
    private string? Train(string cell, int layers, string input, bool batchFirst, string[] extra)
    {
        if (!OnnxTestModels.HasPythonModule("torch"))
        {
            OnnxTestModels.PythonModuleMissing(output, Environment.GetEnvironmentVariable("CI"), "torch", "python3-torch", "the PyTorch import was not compared");
            return null;
        }
        return models.Train(["--cell", cell, "--layers", layers.ToString(System.Globalization.CultureInfo.InvariantCulture), "--input", input,
            .. batchFirst ? new[] { "--batch-first" } : [], .. extra]);
    }
}

/// <summary>Runs a PyTorch/ training script (train_char_model.py unless told) once per set of arguments, into folders deleted with the fixture.</summary>
public sealed class PyTorchModels : IDisposable
{
    private readonly TestData.TempDirectory _root = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<string>> _trained = new();
    private int _count;

    /// <summary>The folder holding model.onnx and expected.json for these script arguments.</summary>
    public string Train(string[] arguments) => Train("train_char_model.py", TestData.TinyShakespearePath, arguments);

    /// <summary>The folder holding model.onnx and expected.json that PyTorch/<paramref name="script"/> wrote from
    /// <paramref name="data"/> for these arguments.</summary>
    public string Train(string script, string data, string[] arguments) => _trained.GetOrAdd(script + " " + string.Join(' ', arguments), key => new Lazy<string>(() =>
    {
        string dir = _root.File($"model{Interlocked.Increment(ref _count)}");
        string path = Path.Combine(AppContext.BaseDirectory, "PyTorch", script);
        var (code, printed) = OnnxTestModels.RunProcess(OnnxTestModels.Python, TimeSpan.FromSeconds(120), [path, data, dir, .. arguments]);
        Assert.True(code == 0, $"{script} failed:\n" + printed);
        return dir;
    })).Value;

    public void Dispose() => _root.Dispose();
}
