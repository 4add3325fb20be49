using System.Globalization;
using System.Text.Json;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Tests.Onnx;
using Xunit;
using Xunit.Abstractions;

namespace Microsoft.ML.Recurrent.Tests.Classification;

/// <summary>
/// Sentence classifiers trained and exported by PyTorch on rt-polarity (PyTorch/train_classifier.py, Debian's
/// python3-torch) import with <see cref="RecurrentClassifierTransformer.ImportBinaryPyTorchOnnx"/> /
/// <see cref="RecurrentClassifierTransformer.ImportMulticlassPyTorchOnnx"/> and, behind the usual text pipeline
/// (TokenizeIntoWords → MapValueToKey with the model's tokens as key data), give torch's probabilities. Where torch is
/// missing the tests fail under CI (which installs it) and otherwise pass saying that nothing was compared.
/// </summary>
public sealed class PyTorchClassifierImportTests(PyTorchModels models, ITestOutputHelper output) : IClassFixture<PyTorchModels>
{
    // Measured max |ours − torch| over the 50 held-out sentences' class probabilities (float32 vs torch's float32, one thread):
    // LSTM 1 one logit 9.2e-8, LSTM 2 two logits 6.8e-8, GRU 1 one logit batch_first 6.6e-8, GRU 2 multiclass 7.4e-8;
    // the tolerance is just above.
    private const double Tolerance = 2e-7;

    /// <summary>Cell, layers, logits, batch_first, multiclass (two named classes through the multiclass import).</summary>
    public static TheoryData<string, int, int, bool, bool> Models() => new()
    {
        { "lstm", 1, 1, false, false },
        { "lstm", 2, 2, false, false },
        { "gru", 1, 1, true, false },
        { "gru", 2, 2, false, true },
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void Imported_classifier_gives_torchs_probabilities_behind_the_text_pipeline(string cell, int layers, int logits, bool batchFirst, bool multiclass)
    {
        if (Train(cell, layers, logits, batchFirst) is not { } dir) return;
        var (tokens, classes, expected) = ReadExpected(dir);
        var ml = new MLContext(seed: 0);
        string path = Path.Combine(dir, "model.onnx");
        var imported = multiclass
            ? RecurrentClassifierTransformer.ImportMulticlassPyTorchOnnx(ml, path, tokens, classes, "Tokens")
            : RecurrentClassifierTransformer.ImportBinaryPyTorchOnnx(ml, path, tokens, "Tokens");
        Assert.Equal(multiclass ? classes : ["False", "True"], imported.ClassNames);

        var data = ml.Data.LoadFromEnumerable(expected.Select(e => new Sentence { Text = e.Text }));
        var model = Pipeline(ml, tokens).Fit(data).Append(imported);
        double worst = MaxDifference(model.Transform(data), expected, multiclass);
        output.WriteLine($"{cell} {layers} logits={logits}{(batchFirst ? " batch_first" : "")}{(multiclass ? " multiclass" : "")}: max |ours - torch| = {worst:E2}");
        Assert.True(worst <= Tolerance, $"The imported classifier's probabilities differ from torch's by up to {worst:E2}.");

        // Saved and loaded with ML.NET's own calls, in a new context: the same scores.
        using var stream = new MemoryStream();
        ml.Model.Save(model, data.Schema, stream);
        stream.Position = 0;
        var fresh = new MLContext(seed: 9);
        var loaded = fresh.Model.Load(stream, out _);
        Assert.Equal(MaxDifference(model.Transform(data), expected, multiclass), MaxDifference(loaded.Transform(data), expected, multiclass));
    }

    [Fact]
    public void Tokens_that_do_not_match_the_model_are_refused()
    {
        if (Train("lstm", 1, 1, batchFirst: false) is not { } dir) return; // the theory's model, trained once
        var (tokens, classes, _) = ReadExpected(dir);
        var ml = new MLContext(seed: 0);
        string path = Path.Combine(dir, "model.onnx");
        Assert.Contains("embeds", Assert.Throws<ArgumentException>(() => RecurrentClassifierTransformer.ImportBinaryPyTorchOnnx(ml, path, tokens[1..])).Message);
        Assert.Contains("distinct", Assert.Throws<ArgumentException>(() => RecurrentClassifierTransformer.ImportBinaryPyTorchOnnx(ml, path, [tokens[1], .. tokens[1..]])).Message);
        Assert.Contains("logits for 3 classes", Assert.Throws<InvalidDataException>(
            () => RecurrentClassifierTransformer.ImportMulticlassPyTorchOnnx(ml, path, tokens, [.. classes, "neutral"])).Message);
    }

    [Fact]
    public void A_bidirectional_model_is_refused_naming_the_node()
    {
        if (Train("lstm", 1, 1, batchFirst: false, "--bidirectional") is not { } dir) return;
        var (tokens, _, _) = ReadExpected(dir);
        var e = Assert.Throws<InvalidDataException>(() => RecurrentClassifierTransformer.ImportBinaryPyTorchOnnx(new MLContext(seed: 0), Path.Combine(dir, "model.onnx"), tokens));
        Assert.Contains("LSTM node", e.Message, StringComparison.Ordinal);
        Assert.Contains("bidirectional", e.Message, StringComparison.Ordinal);
    }

    private static IEstimator<ITransformer> Pipeline(MLContext ml, string[] tokens)
        => ml.Transforms.Text.TokenizeIntoWords("Words", nameof(Sentence.Text))
            .Append(ml.Transforms.Conversion.MapValueToKey("Tokens", "Words",
                keyData: ml.Data.LoadFromEnumerable(tokens.Select(t => new Sentence { Text = t }))));

    // Max |ours − torch| over every sentence's class probabilities.
    private static double MaxDifference(IDataView scored, List<(string Text, double[] Probabilities)> expected, bool multiclass)
    {
        double[][] ours = multiclass
            ? [.. scored.GetColumn<VBuffer<float>>("Score").Select(v => v.DenseValues().Select(p => (double)p).ToArray())]
            : [.. scored.GetColumn<float>("Probability").Select(p => new[] { 1 - (double)p, p })];
        Assert.Equal(expected.Count, ours.Length);
        double worst = 0;
        for (int i = 0; i < ours.Length; i++)
        {
            Assert.Equal(expected[i].Probabilities.Length, ours[i].Length);
            for (int k = 0; k < ours[i].Length; k++) worst = Math.Max(worst, Math.Abs(ours[i][k] - expected[i].Probabilities[k]));
        }
        return worst;
    }

    private static (string[] Tokens, string[] Classes, List<(string Text, double[] Probabilities)> Expected) ReadExpected(string dir)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "expected.json")));
        var root = json.RootElement;
        string[] Strings(string name) => [.. root.GetProperty(name).EnumerateArray().Select(e => e.GetString()!)];
        var expected = root.GetProperty("expected").EnumerateArray()
            .Select(e => (e.GetProperty("text").GetString()!, e.GetProperty("probabilities").EnumerateArray().Select(p => p.GetDouble()).ToArray()))
            .ToList();
        return (Strings("tokens"), Strings("classes"), expected);
    }

    // The folder the training script wrote for these arguments; null (after saying so) when torch is missing outside CI.
    private string? Train(string cell, int layers, int logits, bool batchFirst, string extra = "")
    {
        if (!OnnxTestModels.HasPythonModule("torch"))
        {
            OnnxTestModels.PythonModuleMissing(output, Environment.GetEnvironmentVariable("CI"), "torch", "python3-torch", "the PyTorch classifier import was not compared");
            return null;
        }
        return models.Train("train_classifier.py", TestData.Directory, ["--cell", cell, "--layers", layers.ToString(CultureInfo.InvariantCulture),
            "--logits", logits.ToString(CultureInfo.InvariantCulture), "--steps", extra.Length > 0 ? "20" : "120", .. batchFirst ? new[] { "--batch-first" } : [],
            .. extra.Length > 0 ? new[] { extra } : []]);
    }

    private sealed class Sentence
    {
        public string Text { get; set; } = "";
    }
}
