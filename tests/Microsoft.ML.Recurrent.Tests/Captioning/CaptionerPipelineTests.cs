using ImageCaptioning.Scenes;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Tests.Onnx;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Captioning;

/// <summary>The captioner as an ML.NET estimator: on feature vectors, and after the ResNet18 image stack.</summary>
public class CaptionerPipelineTests
{
    private sealed class FeatureRow
    {
        [VectorType(TinyCaptionTask.FeatureCount)]
        public float[] Features { get; set; } = [];
        public string[] References { get; set; } = [];
    }

    private sealed class ImageRow
    {
        public string ImagePath { get; set; } = "";
        public string Reference { get; set; } = "";
    }

    private sealed class Prediction
    {
        public string Caption { get; set; } = "";
    }

    [Fact]
    public void FitsTransformsAndPredictsOnFeatureVectors()
    {
        var ml = new MLContext(seed: 1);
        var (features, captions, truth) = TinyCaptionTask.Make(90, seed: 1);
        var rows = features.Zip(captions).Select(p => new FeatureRow { Features = p.First, References = [.. p.Second] }).ToList();
        var data = ml.Data.LoadFromEnumerable(rows);
        var estimator = ml.Transforms.Text.TrainCaptioner("Caption", "Features", "References",
            TinyCaptionTask.Options(RecurrentCell.Lstm, ImageConditioning.Both));
        var model = ml.Transforms.CopyColumns("Copied", "Features").Append(estimator).Fit(data); // inside a chain: GetOutputSchema works

        var generated = ml.Data.CreateEnumerable<Prediction>(model.Transform(data), reuseRowObject: false).Select(p => p.Caption).ToList();
        Assert.True(TinyCaptionTask.AttributeAccuracy(generated, truth) >= 0.9, string.Join(" | ", generated.Take(5)));
        var engine = ml.Model.CreatePredictionEngine<FeatureRow, Prediction>(model);
        Assert.Equal(generated[3], engine.Predict(rows[3]).Caption);

        // Transform runs the ONNX greedy graph; it writes what the captioner's own greedy decoder writes.
        var captioner = model.LastTransformer.Captioner;
        Assert.Equal(features.Select(f => captioner.Caption(f)), generated);

        // Saved as that graph inside ML.NET's OnnxTransformer: the loaded pipeline, and a fresh process, write the same captions.
        using var dir = new TestData.TempDirectory();
        string zip = dir.File("captioner.zip");
        ml.Model.Save(model, data.Schema, zip);
        var loaded = new MLContext(seed: 2).Model.Load(zip, out _);
        Assert.Equal(generated, ml.Data.CreateEnumerable<Prediction>(loaded.Transform(data), reuseRowObject: false).Select(p => p.Caption));

        string helper = SampleProcess.Dll("LoadCheckDll");
        string[] vectors = [.. features.Take(12).Select(f => string.Join(',', f.Select(x => x.ToString("R", System.Globalization.CultureInfo.InvariantCulture))))];
        var (code, output) = OnnxTestModels.RunProcess("dotnet", [helper, "--captions", zip, "Features", "Caption", .. vectors]);
        Assert.True(code == 0, output);
        Assert.Equal(generated.Take(12), output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => System.Text.Json.JsonSerializer.Deserialize<string>(l)!));
    }

    [Fact]
    public void ColumnNamesThePipelineUsesInternallyAreRefused()
    {
        var (features, captions, _) = TinyCaptionTask.Make(10, seed: 1);
        var options = TinyCaptionTask.Options(RecurrentCell.Rnn, ImageConditioning.EveryStep);
        options.MaxEpochs = 1;
        var captioner = ImageCaptioner.Train(features, captions, options);
        Assert.Contains("used internally", Assert.Throws<ArgumentException>(() => new CaptionerTransformer(captioner, "Caption", "caption_features")).Message);
        Assert.Contains("used internally", Assert.Throws<ArgumentException>(() => new CaptionerTransformer(captioner, "caption_text", "Features")).Message);
    }

    [Fact]
    public void RejectsColumnsOfTheWrongType()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new ImageRow { ImagePath = "x", Reference = "y" } });
        Assert.Throws<InvalidOperationException>(() => ml.Transforms.Text.TrainCaptioner("Caption", "ImagePath", "Reference").Fit(data));
        Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Text.TrainCaptioner("Caption", "Missing", "Reference").Fit(data));
    }

    [Fact]
    public void FitsAndPredictsAfterTheResNet18ImageStackOnACocoStyleDataFolder()
    {
        using var dir = new TestData.TempDirectory();
        var generator = new SceneGenerator(seed: 5, maxObjects: 3);
        var images = new List<object>();
        var annotations = new List<object>();
        for (int i = 0; i < 6; i++)
        {
            var scene = generator.Next(heldOut: false);
            generator.Draw(scene, dir.File($"scene{i}.png"));
            images.Add(new { id = 100 + i, file_name = $"scene{i}.png" });
            annotations.AddRange(SceneCaptions.For(scene).Select(c => new { image_id = 100 + i, caption = c }));
        }
        // The sample's --data folder reads train.json as COCO-style captions when there is no train.tsv.
        File.WriteAllText(dir.File("train.json"), System.Text.Json.JsonSerializer.Serialize(new { images, annotations }));
        var dataset = ImageCaptioning.DataFolder.Require(dir.Path, "train");
        Assert.Equal(6, dataset.Count);
        Assert.All(dataset, image => Assert.Equal(3, image.Captions.Count));
        var rows = dataset.SelectMany(image => image.Captions.Select(c => new ImageRow { ImagePath = image.ImagePath, Reference = c })).ToList();
        Assert.Equal(dir.File("scene0.png"), rows[0].ImagePath);

        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(rows);
        // ResNet18 pooled in 3 vertical strips (the sample's default)
        string resNet = ImageFeaturizerModels.WriteResNet18WithColumnPooling(dir.File("resnet18-columns"), columns: 3);
        var pipeline = ml.Transforms.LoadImages("Image", imageFolder: null, "ImagePath")
            .Append(ml.Transforms.ResizeImages("Image", 224, 224))
            .Append(ml.Transforms.ExtractPixels("Pixels", "Image"))
            .Append(ml.Transforms.DnnFeaturizeImage("Features", m => m.ModelSelector.ResNet18(ml, m.OutputColumn, m.InputColumn, resNet), "Pixels"))
            .Append(ml.Transforms.Text.TrainCaptioner("Caption", "Features", "Reference",
                new CaptionerOptions { HiddenSize = 32, EmbeddingSize = 16, MaxEpochs = 5, BatchSize = 6, LearningRate = 0.01f }));
        var model = pipeline.Fit(data);

        var captioner = model.LastTransformer;
        Assert.NotNull(captioner);
        Assert.Equal(3 * 512, captioner.Captioner.FeatureCount);
        var generated = ml.Data.CreateEnumerable<Prediction>(model.Transform(data), reuseRowObject: false).Select(p => p.Caption).ToList();
        Assert.Equal(rows.Count, generated.Count);
        Assert.All(generated, c => Assert.All(c.Split(' ', StringSplitOptions.RemoveEmptyEntries), w => Assert.Contains(w, captioner.Captioner.Vocabulary)));
        var engine = ml.Model.CreatePredictionEngine<ImageRow, Prediction>(model);
        Assert.Equal(generated[0], engine.Predict(new ImageRow { ImagePath = rows[0].ImagePath }).Caption);

        ml.Model.Save(model, data.Schema, dir.File("pipeline.zip"));
        Directory.Delete(resNet, recursive: true); // the saved pipeline carries the rewritten model itself
        var loaded = new MLContext(seed: 2).Model.Load(dir.File("pipeline.zip"), out _);
        Assert.Equal(generated, ml.Data.CreateEnumerable<Prediction>(loaded.Transform(data), reuseRowObject: false).Select(p => p.Caption));
    }
}
