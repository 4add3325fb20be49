using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.Recurrent.Classification;
using Microsoft.ML.Recurrent.Numerics;
using Microsoft.ML.Recurrent.Onnx;
using Microsoft.ML.Recurrent.Tests.Onnx;
using Xunit;
using Xunit.Abstractions;

namespace Microsoft.ML.Recurrent.Tests.Classification;

/// <summary>ONNX Runtime running the exported classifier graph agrees with our engine on random weights.</summary>
public sealed class ClassifierOnnxParityTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(RecurrentCell.Gru, 1, true, SequencePooling.Max)]
    [InlineData(RecurrentCell.Lstm, 2, true, SequencePooling.Mean)]
    [InlineData(RecurrentCell.Rnn, 1, false, SequencePooling.Last)]
    [InlineData(RecurrentCell.Gru, 2, true, SequencePooling.Last)]
    public void Multiclass_probabilities_match_ours(RecurrentCell cell, int layers, bool bidirectional, SequencePooling pooling)
    {
        var net = ClassifierTestNetworks.Random(cell, layers, bidirectional, pooling);
        using var session = OnnxTestModels.Session(ClassifierWeights.ToOnnx(net, binary: false));
        foreach (int[] ids in new[] { new[] { 1, 2, 3, 4, 5 }, [3], [0, 0, 2] })
        {
            var ours = ClassifierTestNetworks.AloneLogits(net, ids);
            var expected = new float[ours.Length];
            SoftmaxCrossEntropy.Softmax(ours, expected, 1f);
            var theirs = Run(session, ids)[ClassifierGraph.Score];
            for (int c = 0; c < expected.Length; c++) Assert.Equal(expected[c], theirs[c], 4);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Ngram_evidence_is_hashed_and_summed_as_ours_including_sequences_shorter_than_n(int length)
    {
        var net = ClassifierTestNetworks.Random(RecurrentCell.Gru, 1, true, SequencePooling.Max, ngramLength: length);
        using var session = OnnxTestModels.Session(ClassifierWeights.ToOnnx(net, binary: false));
        foreach (int[] ids in new[] { new[] { 1, 2, 3, 4, 5, 2, 3 }, [3], [4, 1], [0, 5, 5] })
        {
            var ours = ClassifierTestNetworks.AloneLogits(net, ids);
            var expected = new float[ours.Length];
            SoftmaxCrossEntropy.Softmax(ours, expected, 1f);
            var theirs = Run(session, ids)[ClassifierGraph.Score];
            for (int c = 0; c < expected.Length; c++) Assert.Equal(expected[c], theirs[c], 4);
        }
    }

    [Fact]
    public void Binary_score_is_the_log_odds_and_an_empty_sequence_is_one_unknown_token()
    {
        var shape = new ClassifierShape(RecurrentCell.Gru, ClassifierTestNetworks.Vocabulary, 3, 4, 1, true, SequencePooling.Max, 2);
        var net = new SequenceClassifierNetwork(shape);
        var random = new RandomSource(4);
        net.Initialize(random);
        foreach (var p in net.Parameters.Parameters.Where(p => p.IsBias))
            for (int i = 0; i < p.Length; i++) p.Value[i] = random.NextFloat() - 0.5f;
        using var session = OnnxTestModels.Session(ClassifierWeights.ToOnnx(net, binary: true));
        foreach (var (input, ids) in new[] { (new uint[] { 2, 5, 1 }, new[] { 2, 5, 1 }), ([], [0]) })
        {
            var logits = ClassifierTestNetworks.AloneLogits(net, ids);
            var outputs = Run(session, input);
            Assert.Equal(logits[1] - logits[0], outputs[ClassifierGraph.LogOdds][0], 4);
        }
    }

    [Fact]
    public void Class_names_become_MLNets_slot_names_in_a_valid_graph_that_reads_back_unchanged_and_scores_the_same()
    {
        var net = ClassifierTestNetworks.Random(RecurrentCell.Gru, 1, true, SequencePooling.Max);
        string[] names = [.. Enumerable.Range(0, net.Shape.Classes).Select(c => $"class {c}")];
        byte[] onnx = ClassifierWeights.ToOnnx(net, binary: false, classNames: names);
        var model = OnnxFormat.Read(onnx);
        Assert.Equal(onnx, OnnxFormat.Write(model));
        Assert.Equal(ModelProto.DefaultMlOpset, model.MlOpset);
        // The node ML.NET's OnnxTransformer looks for (the ML.NET tests check the Score column's slot names).
        var node = Assert.Single(model.Graph.Nodes, n => n.Name == "mlnet.Score.SlotNames");
        Assert.Equal(ModelProto.MlDomain, node.Domain);
        Assert.Equal(names, node.Attributes.Single(a => a.Name == "keys_strings").Strings);
        using var named = OnnxTestModels.Session(onnx);
        using var plain = OnnxTestModels.Session(ClassifierWeights.ToOnnx(net, binary: false));
        Assert.Equal(Run(plain, [1, 2, 3])[ClassifierGraph.Score], Run(named, [1, 2, 3])[ClassifierGraph.Score]);
        OnnxTestModels.Check(output, onnx);
    }

    private static Dictionary<string, float[]> Run(InferenceSession session, int[] ids) => Run(session, [.. ids.Select(i => (uint)i)]);

    private static Dictionary<string, float[]> Run(InferenceSession session, uint[] keys)
    {
        var input = NamedOnnxValue.CreateFromTensor(ClassifierGraph.Input, new DenseTensor<uint>(keys, [1, keys.Length]));
        using var results = session.Run([input]);
        return results.Where(r => r.ElementType == TensorElementType.Float).ToDictionary(r => r.Name, r => r.AsEnumerable<float>().ToArray());
    }
}
