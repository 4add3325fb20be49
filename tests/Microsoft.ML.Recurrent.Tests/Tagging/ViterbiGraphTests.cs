using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.Recurrent.Numerics;
using Microsoft.ML.Recurrent.Onnx;
using Microsoft.ML.Recurrent.Tagging;
using Microsoft.ML.Recurrent.Tests.Onnx;
using Xunit;
using Xunit.Abstractions;
using static Microsoft.ML.Recurrent.Tests.Tagging.LinearChainCrfTests;

namespace Microsoft.ML.Recurrent.Tests.Tagging;

/// <summary>
/// ONNX Runtime running <see cref="ViterbiGraph"/> (one graph, the sequence length dynamic) decodes the same path as
/// <see cref="LinearChainCrf.Viterbi"/>, for lengths from 1 (no Loop iteration) up and emissions up to magnitude 100, and
/// breaks ties the same way.
/// </summary>
public sealed class ViterbiGraphTests(ITestOutputHelper output)
{
    private const string Emissions = "emissions", Best = "best_labels";

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    public void Onnx_runtime_decodes_the_same_path_as_ours_for_every_length(int labels)
    {
        var (_, crf) = Crf(labels, seed: 31, range: 2f);
        byte[] onnx = Graph(crf);
        OnnxTestModels.Check(output, onnx);
        using var session = OnnxTestModels.Session(onnx);
        var random = new RandomSource(32);
        foreach (var (steps, magnitude) in new[] { (1, 3f), (2, 3f), (3, 3f), (7, 3f), (20, 3f), (1, 3f), (20, 50f), (9, 100f) })
        {
            var emissions = Uniform(random, steps * labels, magnitude);
            var ours = new int[steps];
            crf.Viterbi(emissions, [steps], steps, 1, ours);
            Assert.Equal(ours.Select(y => (long)y).ToArray(), Run(session, emissions, steps, labels));
        }
    }

    [Fact]
    public void Ties_go_to_the_lowest_label_as_in_ours()
    {
        const int labels = 3, steps = 4;
        var (store, crf) = Crf(labels, seed: 1, range: 0f);
        Array.Clear(store.Values);
        using var session = OnnxTestModels.Session(Graph(crf));
        var emissions = new float[steps * labels];
        emissions[(steps - 1) * labels + 1] = emissions[(steps - 1) * labels + 2] = 1f; // labels 1 and 2 tie at the last step
        Assert.Equal([0L, 0, 0, 1], Run(session, emissions, steps, labels));
        var ours = new int[steps];
        crf.Viterbi(emissions, [steps], steps, 1, ours);
        Assert.Equal([0, 0, 0, 1], ours);
    }

    private static byte[] Graph(LinearChainCrf crf)
    {
        var g = new GraphBuilder("viterbi");
        g.Graph.Inputs.Add(new ValueInfoProto(Emissions, ElementType.Float, ["steps", crf.Labels]));
        ViterbiGraph.Emit(g, Emissions, crf.Labels, Best);
        g.Graph.Outputs.Add(new ValueInfoProto(Best, ElementType.Int64, ["steps"]));
        return OnnxModelFile.Write(g, ViterbiGraph.Initializers(crf), "CRF Viterbi decode (test)", []);
    }

    private static long[] Run(InferenceSession session, float[] emissions, int steps, int labels)
    {
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(Emissions, new DenseTensor<float>(emissions, [steps, labels]))]);
        return [.. results.Single(r => r.Name == Best).AsEnumerable<long>()];
    }
}
