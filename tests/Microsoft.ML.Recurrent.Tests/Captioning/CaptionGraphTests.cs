using Microsoft.ML.Recurrent.Tests.Onnx;
using Xunit;
using Xunit.Abstractions;

namespace Microsoft.ML.Recurrent.Tests.Captioning;

/// <summary>The saved (ONNX) greedy decoder writes the captions the C# greedy decoder writes, for every cell and conditioning.</summary>
public class CaptionGraphTests(ITestOutputHelper output)
{
    private sealed class FeatureRow
    {
        [Microsoft.ML.Data.VectorType(TinyCaptionTask.FeatureCount)]
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
}
