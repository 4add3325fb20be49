using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.Recurrent.Captioning;
using Microsoft.ML.Recurrent.Onnx;
using Microsoft.ML.Recurrent.Tests.Onnx;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Captioning;

/// <summary>
/// ML.NET's ResNet18 with its final pooling rewritten to vertical strips, run in ONNX Runtime: 7 strips are the
/// 7 column means of the last feature map, so 3 strips must be means of 3 of them, and 1 strip must be ResNet18's
/// own output.
/// </summary>
public sealed class ColumnPoolingTests
{
    private static readonly string s_models = Path.Combine(AppContext.BaseDirectory, "DnnImageModels");

    [Fact]
    public void Strips_are_the_column_means_of_the_last_feature_map_and_one_strip_is_resnets_own_output()
    {
        string root = Path.Combine(Path.GetTempPath(), "column-pooling-" + Guid.NewGuid().ToString("N"));
        try
        {
            var input = new float[3 * 224 * 224];
            var random = new Random(1);
            for (int i = 0; i < input.Length; i++) input[i] = (float)random.NextDouble();
            float[] Run(string model, out int[] shape)
            {
                using var session = new InferenceSession(model);
                using var results = session.Run([NamedOnnxValue.CreateFromTensor(session.InputMetadata.Keys.Single(), new DenseTensor<float>(input, [1, 3, 224, 224]))]);
                var tensor = results.Single().AsTensor<float>();
                shape = [.. tensor.Dimensions];
                return [.. tensor];
            }
            float[] Strips(int columns, out int[] shape)
                => Run(Path.Combine(ImageFeaturizerModels.WriteResNet18WithColumnPooling(Path.Combine(root, columns.ToString()), columns), "ResNet18Onnx", "ResNet18.onnx"), out shape);

            var original = Run(Path.Combine(s_models, "ResNet18Onnx", "ResNet18.onnx"), out var originalShape);
            var seven = Strips(7, out var sevenShape);
            var three = Strips(3, out var threeShape);
            var one = Strips(1, out var oneShape);
            Assert.Equal([1, 512, 1, 1], originalShape);
            Assert.Equal([1, 512, 1, 7], sevenShape);
            Assert.Equal([1, 512, 1, 3], threeShape);
            Assert.Equal([1, 512, 1, 1], oneShape);
            for (int c = 0; c < 512; c++)
            {
                for (int s = 0; s < 3; s++) // strips of columns 0–2, 2–4, 4–6
                    Assert.Equal((seven[c * 7 + 2 * s] + seven[c * 7 + 2 * s + 1] + seven[c * 7 + 2 * s + 2]) / 3, three[c * 3 + s], 3);
                Assert.Equal(original[c], one[c], 4);
                Assert.Equal(seven.AsSpan(c * 7, 7).ToArray().Average(), original[c], 3);
            }
            Assert.True(Enumerable.Range(0, 512).Count(c => three[c * 3] != three[c * 3 + 2]) > 100, "left and right strips differ");
            Assert.True(File.Exists(Path.Combine(root, "3", "ResNetPrepOnnx", "ResNetPreprocess.onnx")));
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Only_the_pooling_node_and_the_graph_output_change_every_other_byte_is_copied()
    {
        byte[] original = File.ReadAllBytes(Path.Combine(s_models, "ResNet18Onnx", "ResNet18.onnx"));
        byte[] rewritten = FinalPoolingRewrite.Rewrite(original, columns: 3);
        const int modelGraph = 7, graphNode = 1, graphOutput = 12;
        var (modelBefore, modelAfter) = (Fields(original), Fields(rewritten));
        Assert.Equal(modelBefore.Select(f => f.Field), modelAfter.Select(f => f.Field));
        for (int i = 0; i < modelBefore.Count; i++)
            if (modelBefore[i].Field != modelGraph) Assert.Equal(modelBefore[i].Bytes, modelAfter[i].Bytes);

        var graphBefore = Fields(Payload(modelBefore.Single(f => f.Field == modelGraph).Bytes));
        var graphAfter = Fields(Payload(modelAfter.Single(f => f.Field == modelGraph).Bytes));
        Assert.Equal(graphBefore.Select(f => f.Field), graphAfter.Select(f => f.Field));
        var changed = Enumerable.Range(0, graphBefore.Count).Where(i => !graphBefore[i].Bytes.SequenceEqual(graphAfter[i].Bytes)).ToList();
        Assert.Equal([graphNode, graphOutput], changed.Select(i => graphBefore[i].Field).Order());
        Assert.True(graphBefore.Count > 100, $"the graph has {graphBefore.Count} fields: nodes and weights were compared");
    }

    // Each field of a protobuf message with its tag, in order.
    private static List<(int Field, byte[] Bytes)> Fields(ReadOnlySpan<byte> message)
    {
        var fields = new List<(int, byte[])>();
        var reader = new ProtoReader(message, "a test message");
        while (!reader.End)
        {
            int start = reader.Position;
            var (field, wireType) = reader.ReadTag();
            reader.Skip(wireType);
            fields.Add((field, reader.Slice(start, reader.Position).ToArray()));
        }
        return fields;
    }

    // The payload of one length-delimited field written by Fields (tag and length stripped).
    private static byte[] Payload(byte[] field)
    {
        var reader = new ProtoReader(field, "a test field");
        var (_, wireType) = reader.ReadTag();
        return reader.ReadBytes(wireType).ToArray();
    }

    [Fact]
    public void Bad_column_counts_models_without_global_pooling_and_missing_models_are_named()
    {
        Assert.Equal("columns", Assert.Throws<ArgumentOutOfRangeException>(() => ImageFeaturizerModels.WriteResNet18WithColumnPooling("x", 8)).ParamName);
        Assert.Equal("columns", Assert.Throws<ArgumentOutOfRangeException>(() => ImageFeaturizerModels.WriteResNet18WithColumnPooling("x", 0)).ParamName);
        Assert.Contains("DnnImageModels", Assert.Throws<FileNotFoundException>(() => ImageFeaturizerModels.WriteResNet18WithColumnPooling("x", 3, "/nonexistent/DnnImageModels")).Message);
        var ours = OnnxTestModels.LanguageModelBytes(OnnxTestModels.Random(RecurrentCell.Gru, 1));
        Assert.Throws<InvalidDataException>(() => FinalPoolingRewrite.Rewrite(ours, 3));
        Assert.Throws<InvalidDataException>(() => FinalPoolingRewrite.Rewrite([1, 2, 3], 3));
    }
}
