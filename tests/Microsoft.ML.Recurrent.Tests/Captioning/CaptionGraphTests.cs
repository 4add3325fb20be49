using Microsoft.ML.Recurrent.Tests.Onnx;
using Xunit;
using Xunit.Abstractions;

namespace Microsoft.ML.Recurrent.Tests.Captioning;

/// <summary>
/// The saved (ONNX) decoders write the captions the C# decoders write: greedy for every cell and conditioning, and
/// sampling from the captioner's seed, and beam search, with pooled features or attending to regions, in this process
/// and in a fresh one.
/// </summary>
public class CaptionGraphTests(ITestOutputHelper output)
{
    private sealed class FeatureRow
    {
        [Microsoft.ML.Data.VectorType(TinyCaptionTask.FeatureCount)]
        public float[] Features { get; set; } = [];
    }

    private sealed class SceneRow
    {
        [Microsoft.ML.Data.VectorType(TwoObjectScenes.FeatureCount)]
        public float[] Features { get; set; } = [];
    }

    private sealed class Prediction
    {
        public string Caption { get; set; } = "";
    }

    [Theory]
    [InlineData(RecurrentCell.Rnn, 1, ImageConditioning.EveryStep)]
    [InlineData(RecurrentCell.Gru, 2, ImageConditioning.InitialState)]
    [InlineData(RecurrentCell.Lstm, 2, ImageConditioning.Both)]
    public void SavedGraphMatchesTheGreedyDecoder(RecurrentCell cell, int layers, ImageConditioning conditioning)
    {
        var (features, captions, _) = TinyCaptionTask.Make(60, seed: 1);
        var options = TinyCaptionTask.Options(cell, conditioning);
        options.Layers = layers;
        options.MaxEpochs = 4; // part-trained: captions vary in length and content, so the comparison is not trivial
        var captioner = ImageCaptioner.Train(features, captions, options);
        var transformer = new CaptionerTransformer(captioner, "Caption", "Features");

        var ml = new MLContext(seed: 1);
        var random = new Random(3);
        var rows = Enumerable.Range(0, 30).Select(_ => new FeatureRow
        {
            Features = [.. Enumerable.Range(0, TinyCaptionTask.FeatureCount).Select(_ => (float)random.NextDouble() * 1.5f)],
        }).ToList();
        var data = ml.Data.LoadFromEnumerable(rows);
        using var dir = new TestData.TempDirectory();
        ml.Model.Save(transformer, data.Schema, dir.File("captioner.zip"));
        var loaded = ml.Model.Load(dir.File("captioner.zip"), out _);
        var saved = ml.Data.CreateEnumerable<Prediction>(loaded.Transform(data), reuseRowObject: false).Select(p => p.Caption).ToList();
        Assert.Equal(rows.Select(r => captioner.Caption(r.Features, CaptionDecoding.Greedy)), saved);
        Assert.True(saved.Distinct().Count() > 1, "every input got the same caption: " + saved[0]);

        using var onnx = new MemoryStream();
        transformer.ExportToOnnx(onnx);
        OnnxTestModels.Check(output, onnx.ToArray());
    }

    [Theory]
    [InlineData(RecurrentCell.Lstm)]
    [InlineData(RecurrentCell.Gru)]
    public void SavedSamplingGraphReplaysTheSamplersStream(RecurrentCell cell)
    {
        var (features, captions, _) = TinyCaptionTask.Make(60, seed: 1);
        var options = TinyCaptionTask.Options(cell, ImageConditioning.Both);
        options.MaxEpochs = 4; // part-trained: the distributions are wide enough that sampling departs from greedy
        options.Decoding = CaptionDecoding.Sampling;
        options.Temperature = 1.5f;
        options.Seed = 7;
        var captioner = ImageCaptioner.Train(features, captions, options);
        var rows = RandomRows(30);
        using var dir = new TestData.TempDirectory();
        string zip = dir.File("sampling.zip");
        var saved = SaveAndCaption(captioner, rows, zip);

        // The C# sampler starts the seed's stream afresh for each image, as the graph's stored uniforms do.
        var expected = rows.Select(r => captioner.Caption(r.Features)).ToList();
        Assert.Equal(expected, saved);
        Assert.Contains(rows, r => captioner.Caption(r.Features, CaptionDecoding.Greedy) != captioner.Caption(r.Features));
        Assert.Equal(expected.Take(8), FreshProcessCaptions(zip, rows.Take(8).Select(r => r.Features)));
    }

    [Fact]
    public void SavedSamplingGraphAtALowTemperatureIsGreedy()
    {
        var (features, captions, _) = TinyCaptionTask.Make(60, seed: 1);
        var options = TinyCaptionTask.Options(RecurrentCell.Gru, ImageConditioning.InitialState);
        options.MaxEpochs = 4;
        options.Decoding = CaptionDecoding.Sampling;
        options.Temperature = 1e-3f;
        var captioner = ImageCaptioner.Train(features, captions, options);
        var rows = RandomRows(20);
        using var dir = new TestData.TempDirectory();
        Assert.Equal(rows.Select(r => captioner.Caption(r.Features, CaptionDecoding.Greedy)), SaveAndCaption(captioner, rows, dir.File("cold.zip")));
    }

    [Theory]
    [InlineData(RecurrentCell.Lstm, 3)]
    [InlineData(RecurrentCell.Lstm, 5)]
    [InlineData(RecurrentCell.Gru, 3)]
    [InlineData(RecurrentCell.Gru, 5)]
    public void SavedBeamGraphFindsTheBeamSearchsSentence(RecurrentCell cell, int beamSize)
    {
        var (features, captions, _) = TinyCaptionTask.Make(40, seed: 4);
        var options = TinyCaptionTask.Options(cell, ImageConditioning.Both);
        options.MaxEpochs = 2; // half-trained: several sentences compete, so beam search departs from greedy
        options.MaxCaptionLength = 6; // short: some hypotheses finish at the limit rather than at <END>
        options.Decoding = CaptionDecoding.BeamSearch;
        options.BeamSize = beamSize;
        var captioner = ImageCaptioner.Train(features, captions, options);
        var rows = RandomRows(30);
        using var dir = new TestData.TempDirectory();
        string zip = dir.File("beam.zip");
        var saved = SaveAndCaption(captioner, rows, zip);

        var expected = rows.Select(r => captioner.Caption(r.Features)).ToList();
        Assert.Equal(expected, saved);
        Assert.Contains(rows, r => captioner.Caption(r.Features, CaptionDecoding.Greedy) != captioner.Caption(r.Features));
        Assert.True(saved.Distinct().Count() > 1, "every input got the same caption: " + saved[0]);
        Assert.Equal(expected.Take(8), FreshProcessCaptions(zip, rows.Take(8).Select(r => r.Features)));
    }

    [Theory]
    [InlineData(RecurrentCell.Lstm, 1, ImageConditioning.AttentionWithInitialState, true, CaptionDecoding.Greedy)]
    [InlineData(RecurrentCell.Gru, 2, ImageConditioning.Attention, false, CaptionDecoding.Greedy)]
    [InlineData(RecurrentCell.Lstm, 2, ImageConditioning.AttentionWithInitialState, true, CaptionDecoding.BeamSearch)]
    [InlineData(RecurrentCell.Gru, 1, ImageConditioning.AttentionWithInitialState, false, CaptionDecoding.BeamSearch)]
    [InlineData(RecurrentCell.Lstm, 1, ImageConditioning.Attention, true, CaptionDecoding.Sampling)]
    [InlineData(RecurrentCell.Lstm, 2, ImageConditioning.AttentionWithInitialState, true, CaptionDecoding.Greedy, AttentionQuery.CurrentState)]
    [InlineData(RecurrentCell.Gru, 1, ImageConditioning.Attention, false, CaptionDecoding.BeamSearch, AttentionQuery.CurrentState)]
    [InlineData(RecurrentCell.Lstm, 1, ImageConditioning.AttentionWithInitialState, true, CaptionDecoding.Sampling, AttentionQuery.CurrentState)]
    public void SavedAttentionGraphWritesTheAttendingDecodersCaptions(RecurrentCell cell, int layers, ImageConditioning conditioning, bool gate,
        CaptionDecoding decoding, AttentionQuery query = AttentionQuery.PreviousState)
    {
        var (features, captions, _) = TwoObjectScenes.Make(120, seed: 1);
        var options = TwoObjectScenes.Options(conditioning);
        options.Cell = cell;
        options.Layers = layers;
        options.AttentionGate = gate;
        options.AttentionQuery = query;
        options.MaxEpochs = 3; // part-trained: the captions differ from image to image and from one decoding to another
        options.Decoding = decoding;
        options.BeamSize = 3;
        options.Temperature = 1.2f;
        var captioner = ImageCaptioner.Train(features, [.. captions.Select(c => (IReadOnlyList<string>)[c])], options);
        var rows = TwoObjectScenes.Make(30, seed: 2).Features.Select(x => new SceneRow { Features = x }).ToList();
        using var dir = new TestData.TempDirectory();
        string zip = dir.File("attention.zip");
        var saved = SaveAndCaption(captioner, rows, zip);

        var expected = rows.Select(r => captioner.Caption(r.Features)).ToList();
        Assert.Equal(expected, saved);
        Assert.True(saved.Distinct().Count() > 1, "every input got the same caption: " + saved[0]);
        if (decoding != CaptionDecoding.Greedy) Assert.Contains(rows, r => captioner.Caption(r.Features, CaptionDecoding.Greedy) != captioner.Caption(r.Features));
        Assert.Equal(expected.Take(6), FreshProcessCaptions(zip, rows.Take(6).Select(r => r.Features)));
    }

    private static List<FeatureRow> RandomRows(int count)
    {
        var random = new Random(3);
        return [.. Enumerable.Range(0, count).Select(_ => new FeatureRow
        {
            Features = [.. Enumerable.Range(0, TinyCaptionTask.FeatureCount).Select(_ => (float)random.NextDouble() * 1.5f)],
        })];
    }

    // The captions of the captioner's pipeline saved to the zip (left there for the fresh-process check) and loaded back.
    private List<string> SaveAndCaption<TRow>(ImageCaptioner captioner, List<TRow> rows, string zip) where TRow : class
    {
        var transformer = new CaptionerTransformer(captioner, "Caption", "Features");
        using var onnx = new MemoryStream();
        transformer.ExportToOnnx(onnx);
        OnnxTestModels.Check(output, onnx.ToArray());
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(rows);
        ml.Model.Save(transformer, data.Schema, zip);
        var loaded = new MLContext(seed: 2).Model.Load(zip, out _);
        return [.. ml.Data.CreateEnumerable<Prediction>(loaded.Transform(data), reuseRowObject: false).Select(p => p.Caption)];
    }

    // What a separate process that only calls mlContext.Model.Load writes for the rows.
    private static IEnumerable<string> FreshProcessCaptions(string zip, IEnumerable<float[]> features)
    {
        string[] vectors = [.. features.Select(x => string.Join(',', x.Select(x => x.ToString("R", System.Globalization.CultureInfo.InvariantCulture))))];
        var (code, text) = OnnxTestModels.RunProcess("dotnet", [SampleProcess.Dll("LoadCheckDll"), "--captions", zip, "Features", "Caption", .. vectors]);
        Assert.True(code == 0, text);
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => System.Text.Json.JsonSerializer.Deserialize<string>(l)!);
    }
}
