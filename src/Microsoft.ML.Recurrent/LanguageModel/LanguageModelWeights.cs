using System.IO.Hashing;
using Microsoft.ML.Recurrent.Onnx;
using static Microsoft.ML.Recurrent.Onnx.StackWeights;

namespace Microsoft.ML.Recurrent.LanguageModel;

/// <summary>
/// Moves a <see cref="LanguageNetwork"/>'s weights into ONNX's layout and back (<see cref="StackWeights"/> for the
/// stack). A language model's layer-0 input projection is its embedding: one-hot input makes x·W a row lookup, so it
/// is exactly the op's W, and our input bias goes to Wb.
/// </summary>
internal static class LanguageModelWeights
{
    /// <summary>The initializers of every weight, in a fixed order (the order <see cref="Checksum"/> reads).</summary>
    public static IEnumerable<TensorProto> Export(LanguageNetwork network)
    {
        foreach (var t in Stack(network.Stack, (network.Input.Weight, network.Input.Bias))) yield return t;
        yield return TensorProto.Floats(OutputWeight, [network.Shape.Hidden, network.Shape.Vocabulary], network.Output.Weight.Value);
        yield return TensorProto.Floats(OutputBias, [network.Shape.Vocabulary], network.Output.Bias.Value);
    }

    /// <summary>Builds a network of <paramref name="shape"/> from initializers written by <see cref="Export"/>.</summary>
    /// <exception cref="InvalidDataException">A weight is missing or has the wrong shape.</exception>
    public static LanguageNetwork Import(LanguageModelShape shape, IReadOnlyDictionary<string, TensorProto> initializers)
    {
        // The metadata's sizes are not trusted to allocate: the file must carry at least that many weights.
        long needed = LanguageNetwork.CountParameters(shape);
        long present = initializers.Values.Where(t => t.Type == ElementType.Float).Sum(t => t.ElementCount);
        if (needed > present)
            throw new InvalidDataException($"The ONNX model's metadata describes {needed} weights, but the file holds only {present}.");
        var network = new LanguageNetwork(shape);
        for (int l = 0; l < shape.Layers; l++)
        {
            var rec = network.Recurrences[l];
            int g = rec.GateWidth;
            var (inW, inB) = l == 0
                ? (network.Input.Weight, network.Input.Bias)
                : (network.Stack.ProjectionAt(l, 0)!.Weight, network.Stack.ProjectionAt(l, 0)!.Bias);
            Untransposed(Find(initializers, W(l), [1, g, inW.Rows]), inW, shape.Cell);
            Untransposed(Find(initializers, R(l), [1, g, shape.Hidden]), rec.RecurrentWeight, shape.Cell);
            var bias = Find(initializers, B(l), [1, 2 * g]);
            Restore(bias[..g], inB.Value, shape.Cell, rec.Hidden);
            if (rec.RecurrentBias is { } bh) Restore(bias[g..], bh.Value, shape.Cell, rec.Hidden);
            else if (bias[g..].ContainsAnyExcept(0f))
                throw new InvalidDataException($"The ONNX weight '{B(l)}' has a recurrent bias, which a {shape.Cell} layer does not have.");
        }
        Find(initializers, OutputWeight, [shape.Hidden, shape.Vocabulary]).CopyTo(network.Output.Weight.Value);
        Find(initializers, OutputBias, [shape.Vocabulary]).CopyTo(network.Output.Bias.Value);
        return network;
    }

    /// <summary>A hash of the weights' bytes, stored in the metadata so that altered weights are detected on import.</summary>
    public static string Checksum(IEnumerable<TensorProto> weights)
    {
        var hash = new XxHash64();
        foreach (var t in weights) hash.Append(t.Raw);
        return Convert.ToHexString(hash.GetCurrentHash());
    }


}
