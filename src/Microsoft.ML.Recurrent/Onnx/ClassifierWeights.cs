using Microsoft.ML.Recurrent.Models;

namespace Microsoft.ML.Recurrent.Onnx;

/// <summary>
/// A <see cref="SequenceClassifierNetwork"/>'s weights as ONNX initializers: each direction's input projection
/// and recurrence become one forward RNN/LSTM/GRU op's W, R, B (gate order and layout from
/// <see cref="NetworkWeights"/>), plus the embedding, the output layer and the n-gram table and scale as plain tensors.
/// </summary>
internal static class ClassifierWeights
{
    public const string Embedding = "embedding.W", EmbeddingBias = "embedding.b", OutputWeight = "output.W", OutputBias = "output.b";
    public const string NgramTable = "ngrams.W", NgramScale = "ngrams.scale";

    public static string W(int layer, int direction) => $"layer{layer}.{direction}.W";
    public static string R(int layer, int direction) => $"layer{layer}.{direction}.R";
    public static string B(int layer, int direction) => $"layer{layer}.{direction}.B";

    public static IEnumerable<TensorProto> Export(SequenceClassifierNetwork network)
    {
        var shape = network.Shape;
        if (network.Embedding is { } e)
        {
            yield return TensorProto.Floats(Embedding, [e.Vocabulary, e.Width], e.Weight.Value);
            yield return TensorProto.Floats(EmbeddingBias, [e.Width], e.Bias.Value);
        }
        for (int l = 0; l < shape.Layers; l++)
            for (int d = 0; d < shape.Directions; d++)
            {
                var rec = network.RecurrenceAt(l, d);
                var projection = network.ProjectionAt(l, d);
                yield return NetworkWeights.Transposed(W(l, d), projection.Weight, shape.Cell);
                yield return NetworkWeights.Transposed(R(l, d), rec.RecurrentWeight, shape.Cell);
                var bias = new float[2 * rec.GateWidth];
                NetworkWeights.Reorder(projection.Bias.Value, bias.AsSpan(0, rec.GateWidth), shape.Cell, rec.Hidden);
                if (rec.RecurrentBias is { } bh) NetworkWeights.Reorder(bh.Value, bias.AsSpan(rec.GateWidth), shape.Cell, rec.Hidden);
                yield return TensorProto.Floats(B(l, d), [1, bias.Length], bias);
            }
        yield return TensorProto.Floats(OutputWeight, [shape.OutputWidth, shape.Classes], network.Output.Weight.Value);
        yield return TensorProto.Floats(OutputBias, [shape.Classes], network.Output.Bias.Value);
        if (network.Ngrams is { } bag)
        {
            yield return TensorProto.Floats(NgramTable, [bag.Table.Length / bag.Classes, bag.Classes], bag.Table);
            yield return TensorProto.Floats(NgramScale, [1], [bag.Scale]);
        }
    }

    /// <summary>The whole model file: graph, weights and a description; multiclass <paramref name="classNames"/> become the score's slot names.</summary>
    public static byte[] ToOnnx(SequenceClassifierNetwork network, bool binary, ElementType keyType = ElementType.UInt32, string[]? classNames = null)
    {
        var graph = ClassifierGraph.Build(network.Shape, binary, keyType, classNames);
        graph.Graph.Initializers.InsertRange(0, Export(network));
        var s = network.Shape;
        var model = new ModelProto(graph.Graph)
        {
            ProducerName = "Microsoft.ML.Recurrent",
            MlOpset = graph.Graph.Nodes.Any(n => n.Domain == ModelProto.MlDomain) ? ModelProto.DefaultMlOpset : 0,
            DocString = $"A {(s.Bidirectional ? "bidirectional " : "")}{s.Cell} sequence classifier ({s.Layers}×{s.Hidden}, {s.Pooling} pooling, " +
                        $"{s.Classes} classes) exported by Microsoft.ML.Recurrent.",
        };
        return OnnxFormat.Write(model);
    }
}
