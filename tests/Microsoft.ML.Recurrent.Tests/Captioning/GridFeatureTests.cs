using ImageCaptioning.Scenes;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Captioning;

/// <summary>
/// ML.NET's ResNet18 with its final pooling replaced by an identity pooling, so the features are the 7×7 map itself:
/// its channel means must be ResNet18's own output, its column means the 7 strips, and DnnFeaturizeImage must give
/// 512 × 49 values per image.
/// </summary>
public sealed class GridFeatureTests
{
    private static readonly string s_models = Path.Combine(AppContext.BaseDirectory, "DnnImageModels");

    private static float[] Run(string model, float[] input, out int[] shape)
    {
        using var session = new InferenceSession(model);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(session.InputMetadata.Keys.Single(), new DenseTensor<float>(input, [1, 3, 224, 224]))]);
        var tensor = results.Single().AsTensor<float>();
        shape = [.. tensor.Dimensions];
        return [.. tensor];
    }

    [Fact]
    public void The_grid_is_the_last_feature_map_its_means_are_resnets_output_and_its_column_means_the_strips()
    {
        using var dir = new TestData.TempDirectory();
        var input = new float[3 * 224 * 224];
        var random = new Random(2);
        for (int i = 0; i < input.Length; i++) input[i] = (float)random.NextDouble();
        string Model(string folder) => Path.Combine(folder, "ResNet18Onnx", "ResNet18.onnx");

        var original = Run(Model(s_models), input, out _);
        var grid = Run(Model(ImageFeaturizerModels.WriteResNet18WithGrid(dir.File("grid"))), input, out var gridShape);
        var strips = Run(Model(ImageFeaturizerModels.WriteResNet18WithColumnPooling(dir.File("strips"), 7)), input, out _);
        Assert.Equal([1, ImageFeaturizerModels.ResNet18Channels, 7, 7], gridShape);
        Assert.Equal(ImageFeaturizerModels.ResNet18Channels * ImageFeaturizerModels.ResNet18GridRegions, grid.Length);
        for (int c = 0; c < ImageFeaturizerModels.ResNet18Channels; c++)
        {
            var map = grid.AsSpan(c * 49, 49).ToArray(); // value c·49 + row·7 + column
            Assert.Equal(original[c], map.Average(), 3);
            for (int column = 0; column < 7; column++)
                Assert.Equal(strips[c * 7 + column], Enumerable.Range(0, 7).Average(row => map[row * 7 + column]), 3);
        }
        Assert.True(Enumerable.Range(0, 512).Count(c => grid.AsSpan(c * 49, 49).ToArray().Distinct().Count() > 1) > 100, "the regions of a channel differ");
        Assert.True(File.Exists(dir.File(Path.Combine("grid", "ResNetPrepOnnx", "ResNetPreprocess.onnx"))));
    }

    private sealed class ImageRow
    {
        public string ImagePath { get; set; } = "";
    }

    [Fact]
    public void DnnFeaturizeImage_with_the_grid_model_gives_25088_features_per_image()
    {
        using var dir = new TestData.TempDirectory();
        var generator = new SceneGenerator(seed: 5, maxObjects: 3);
        generator.Draw(generator.Next(heldOut: false), dir.File("scene.png"));
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable([new ImageRow { ImagePath = dir.File("scene.png") }]);
        string resNet = ImageFeaturizerModels.WriteResNet18WithGrid(dir.File("resnet18-grid"));
        var model = ml.Transforms.LoadImages("Image", imageFolder: null, "ImagePath")
            .Append(ml.Transforms.ResizeImages("Image", 224, 224))
            .Append(ml.Transforms.ExtractPixels("Pixels", "Image"))
            .Append(ml.Transforms.DnnFeaturizeImage("Features", m => m.ModelSelector.ResNet18(ml, m.OutputColumn, m.InputColumn, resNet), "Pixels"))
            .Fit(data);
        var features = model.Transform(data).GetColumn<VBuffer<float>>("Features").Single().DenseValues().ToArray();
        Assert.Equal(25_088, features.Length);
        Assert.All(features, v => Assert.True(float.IsFinite(v)));
        Assert.Contains(features, v => v != 0);
    }
}
