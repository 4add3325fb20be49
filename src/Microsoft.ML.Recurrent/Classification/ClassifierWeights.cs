using System.Globalization;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Onnx;

namespace Microsoft.ML.Recurrent.Classification;

/// <summary>
/// A <see cref="SequenceClassifierNetwork"/>'s weights as ONNX initializers: its stack's as
/// <see cref="StackWeights.Stack"/> writes them (each layer one RNN/LSTM/GRU op over both directions), plus the
/// embedding, the output layer and the n-gram table and scale as plain tensors.
/// </summary>
internal static class ClassifierWeights
{
    public const string Embedding = "embedding.W", EmbeddingBias = "embedding.b", OutputWeight = "output.W", OutputBias = "output.b";
    public const string NgramTable = "ngrams.W", NgramScale = "ngrams.scale";

    public static IEnumerable<TensorProto> Export(SequenceClassifierNetwork network)
    {
        var shape = network.Shape;
        if (network.Embedding is { } e)
        {
            yield return TensorProto.Floats(Embedding, [e.Vocabulary, e.Width], e.Weight.Value);
            yield return TensorProto.Floats(EmbeddingBias, [e.Width], e.Bias.Value);
        }
        foreach (var t in StackWeights.Stack(network.Stack)) yield return t;
        yield return TensorProto.Floats(OutputWeight, [shape.OutputWidth, shape.Classes], network.Output.Weight.Value);
        yield return TensorProto.Floats(OutputBias, [shape.Classes], network.Output.Bias.Value);
        if (network.Ngrams is { } bag)
        {
            yield return TensorProto.Floats(NgramTable, [bag.Table.Length / bag.Classes, bag.Classes], bag.Table);
            yield return TensorProto.Floats(NgramScale, [1], [bag.Scale]);
        }
    }

    /// <summary>The whole model file: graph, weights, a description and the classifier's settings in the metadata
    /// (the stack's, then <c>ml_recurrent.bidirectional</c>, <c>pooling</c>, <c>classes</c>, <c>output</c>, <c>ngram_length</c>);
    /// multiclass <paramref name="classNames"/> become the score's slot names.</summary>
    public static byte[] ToOnnx(SequenceClassifierNetwork network, bool binary, ElementType keyType = ElementType.UInt32, string[]? classNames = null)
    {
        var s = network.Shape;
        var inv = CultureInfo.InvariantCulture;
        var metadata = StackMetadata.Stack(s.Cell, s.Hidden, s.Layers).ToList();
        metadata.Add(new(OnnxModelFile.Prefix + "bidirectional", s.Bidirectional ? "true" : "false"));
        metadata.Add(new(OnnxModelFile.Prefix + "pooling", s.Pooling.ToString().ToLowerInvariant()));
        metadata.Add(new(OnnxModelFile.Prefix + "classes", s.Classes.ToString(inv)));
        metadata.Add(new(OnnxModelFile.Prefix + "output", binary ? "binary" : "multiclass"));
        metadata.Add(new(OnnxModelFile.Prefix + "ngram_length", s.NgramLength.ToString(inv)));
        return OnnxModelFile.Write(ClassifierGraph.Build(s, binary, keyType, classNames), Export(network),
            $"A {(s.Bidirectional ? "bidirectional " : "")}{s.Cell} sequence classifier ({s.Layers}×{s.Hidden}, {s.Pooling} pooling, " +
            $"{s.Classes} classes) exported by Microsoft.ML.Recurrent.",
            metadata);
    }
}
