using ImageCaptioning.Scenes;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Captioning;

/// <summary>
/// ML.NET's ResNet18 with its final pooling replaced by an identity pooling, so the features are the 7×7 map itself:
/// its channel means must be ResNet18's own output, its column means the 7 strips, and DnnFeaturizeImage must give
/// 512 × 49 values per image; an earlier stage's grid is its map pooled in blocks, without the later stages.
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

    // The mean of each k × k block of every channel's side × side map.
    private static float[] Pool(float[] map, int channels, int side, int k)
    {
        int n = side / k;
        var pooled = new float[channels * n * n];
        for (int c = 0; c < channels; c++)
            for (int i = 0; i < side; i++)
                for (int j = 0; j < side; j++)
                    pooled[(c * n + i / k) * n + j / k] += map[(c * side + i) * side + j] / (k * k);
        return pooled;
    }

    [Fact]
    public void Earlier_stage_grids_pool_their_map_and_leave_the_later_stages_out()
    {
        using var dir = new TestData.TempDirectory();
        var input = new float[3 * 224 * 224];
        var random = new Random(3);
        for (int i = 0; i < input.Length; i++) input[i] = (float)random.NextDouble();
        string Write(ResNet18Stage stage, int size) => Path.Combine(ImageFeaturizerModels.WriteResNet18WithGrid(dir.File($"{stage}-{size}"), stage, size), "ResNet18Onnx", "ResNet18.onnx");

        foreach (var (stage, side, channels) in new[] { (ResNet18Stage.Stage3, 14, 256), (ResNet18Stage.Stage2, 28, 128) })
        {
            Assert.Equal(channels, ImageFeaturizerModels.GridChannels(stage));
            string full = Write(stage, side), seven = Write(stage, 7);
            var map = Run(full, input, out var fullShape);
            var grid = Run(seven, input, out var gridShape);
            Assert.Equal([1, channels, side, side], fullShape);
            Assert.Equal([1, channels, 7, 7], gridShape);
            var expected = Pool(map, channels, side, side / 7);
            for (int i = 0; i < grid.Length; i++) Assert.Equal(expected[i], grid[i], 3);
            // Stage 4 holds most of ResNet18's 11.7 M weights (45 MB): the earlier grids leave them out.
            Assert.True(new FileInfo(seven).Length < new FileInfo(Path.Combine(s_models, "ResNet18Onnx", "ResNet18.onnx")).Length / 3, $"{stage}: {new FileInfo(seven).Length} bytes");
        }
        Run(Write(ResNet18Stage.Stage4, 7), input, out var lastShape);
        Assert.Equal([1, 512, 7, 7], lastShape);
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageFeaturizerModels.WriteResNet18WithGrid(dir.File("bad"), ResNet18Stage.Stage3, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageFeaturizerModels.WriteResNet18WithGrid(dir.File("bad"), (ResNet18Stage)1));
        Assert.False(Directory.Exists(dir.File("bad")));
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
