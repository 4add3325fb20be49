using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Numerics;
using Microsoft.ML.Recurrent.Onnx;

namespace Microsoft.ML.Recurrent.Captioning;

/// <summary>
/// A <see cref="CaptionNetwork"/>'s weights: its stack's as <see cref="StackWeights.Stack"/> writes them, so that
/// <see cref="RecurrentStack"/> runs it. Layer 0's input is x = [onehot(word) | v] (v only with every-step
/// conditioning): its op weight stacks the word rows, embedding·Wx (the embedding and its projection folded into
/// one lookup table), on the image rows Wih, and its bias is b_emb·Wx + b_x + b_ih — the same pre-activations
/// as our Forward. With attention, layer 0 is the stack's own projection of [embedding, z], and the embedding, the
/// attention and its gate keep their own names and [rows, cols] layout, for the graph's Gather and MatMuls. The
/// initial-state projections keep our [v, H] layout for a MatMul; the output layer is [H (+ C with attention), V].
/// </summary>
internal static class CaptionWeights
{
    public static string InitialWeight(int layer) => $"layer{layer}.initial.W";
    public static string InitialBias(int layer) => $"layer{layer}.initial.b";

    public static IEnumerable<TensorProto> Export(CaptionNetwork network)
    {
        var shape = network.Shape;
        var p = network.Parameters.Parameters.ToDictionary(x => x.Name);
        if (shape.Attends) return Attending(network, p);
        int g0 = network.Recurrences[0].GateWidth, e = shape.Embedding, v = shape.Vocabulary;
        bool everyStep = shape.Conditioning.HasFlag(ImageConditioning.EveryStep);
        int inputs = v + (everyStep ? shape.Features : 0);

        // Fold embedding and projection: table = W_emb·Wx, bias = b_emb·Wx + b_x (+ b_ih).
        var store = new ParameterStore();
        var folded = store.Declare("layer0.folded.W", inputs, g0);
        var foldedBias = store.Declare("layer0.folded.b", 1, g0, isBias: true);
        store.Seal();
        var table = folded.Value;
        var bias = foldedBias.Value;
        Gemm.MatMul(p["words.W"].Value, p["layer0.input.W"].Value, table[..(v * g0)], v, e, g0, accumulate: false);
        Gemm.MatMul(p["words.b"].Value, p["layer0.input.W"].Value, bias, 1, e, g0, accumulate: false);
        System.Numerics.Tensors.TensorPrimitives.Add(bias, p["layer0.input.b"].Value, bias);
        if (everyStep)
        {
            p["layer0.image.W"].Value.CopyTo(table[(v * g0)..]);
            System.Numerics.Tensors.TensorPrimitives.Add(bias, p["layer0.image.b"].Value, bias);
        }
        return [.. StackWeights.Stack(network.Stack, (folded, foldedBias)), .. InitialStates(network, p),
            TensorProto.Floats(StackWeights.OutputWeight, [shape.Hidden, v], p["output.W"].Value),
            TensorProto.Floats(StackWeights.OutputBias, [v], p["output.b"].Value)];
    }

    private static IEnumerable<TensorProto> Attending(CaptionNetwork network, Dictionary<string, Parameter> p)
    {
        var own = new List<Parameter> { network.Words.Weight, network.Words.Bias, p["output.W"], p["output.b"] };
        var attention = network.Attention!;
        own.AddRange([attention.KeyWeight!, attention.QueryWeight!, attention.Vector!]);
        if (network.Gate is { } gate) own.AddRange([gate.Weight, gate.Bias]);
        return [.. StackWeights.Stack(network.Stack), .. InitialStates(network, p), .. own.Select(x => TensorProto.Floats(x.Name, [x.Rows, x.Cols], x.Value))];
    }

    private static IEnumerable<TensorProto> InitialStates(CaptionNetwork network, Dictionary<string, Parameter> p)
    {
        var shape = network.Shape;
        if (!shape.Conditioning.HasFlag(ImageConditioning.InitialState)) yield break;
        for (int l = 0; l < shape.Layers; l++)
        {
            yield return TensorProto.Floats(InitialWeight(l), [shape.ImageWidth, shape.Hidden], p[$"layer{l}.initial.W"].Value);
            yield return TensorProto.Floats(InitialBias(l), [shape.Hidden], p[$"layer{l}.initial.b"].Value);
        }
    }
}
