using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Models;

namespace Microsoft.ML.Recurrent.Onnx;

/// <summary>
/// A <see cref="CaptionNetwork"/>'s weights under <see cref="NetworkWeights"/>' names and layouts, so that
/// <see cref="RecurrentStack"/> runs it. Layer 0's input is x = [onehot(word) | v] (v only with every-step
/// conditioning): its op weight stacks the word rows, embedding·Wx (the embedding and its projection folded into
/// one lookup table), on the image rows Wih, and its bias is b_emb·Wx + b_x + b_ih — the same pre-activations
/// as our Forward. The initial-state projections keep our [F, H] layout for a MatMul.
/// </summary>
internal static class CaptionWeights
{
    public static string InitialWeight(int layer) => $"layer{layer}.initial.W";
    public static string InitialBias(int layer) => $"layer{layer}.initial.b";

    public static IEnumerable<TensorProto> Export(CaptionNetwork network)
    {
        var shape = network.Shape;
        var p = network.Parameters.Parameters.ToDictionary(x => x.Name);
        int g0 = network.Recurrences[0].GateWidth, e = shape.Embedding, v = shape.Vocabulary;
        bool everyStep = shape.Conditioning.HasFlag(ImageConditioning.EveryStep);
        int inputs = v + (everyStep ? shape.Features : 0);

        // Fold embedding and projection: table = W_emb·Wx, bias = b_emb·Wx + b_x (+ b_ih).
        var store = new ParameterStore();
        var folded = store.Declare("layer0.folded", inputs, g0);
        store.Seal();
        var table = folded.Value;
        Numerics.Gemm.MatMul(p["words.W"].Value, p["layer0.input.W"].Value, table[..(v * g0)], v, e, g0, accumulate: false);
        var bias = new float[g0];
        Numerics.Gemm.MatMul(p["words.b"].Value, p["layer0.input.W"].Value, bias, 1, e, g0, accumulate: false);
        System.Numerics.Tensors.TensorPrimitives.Add(bias, p["layer0.input.b"].Value, bias);
        if (everyStep)
        {
            p["layer0.image.W"].Value.CopyTo(table[(v * g0)..]);
            System.Numerics.Tensors.TensorPrimitives.Add(bias, p["layer0.image.b"].Value, bias);
        }
        for (int l = 0; l < shape.Layers; l++)
        {
            var rec = network.Recurrences[l];
            yield return NetworkWeights.Transposed(NetworkWeights.W(l), l == 0 ? folded : p[$"layer{l}.input.W"], shape.Cell);
            yield return NetworkWeights.Transposed(NetworkWeights.R(l), rec.RecurrentWeight, shape.Cell);
            var b = new float[2 * rec.GateWidth];
            NetworkWeights.Reorder(l == 0 ? bias : p[$"layer{l}.input.b"].Value, b.AsSpan(0, rec.GateWidth), shape.Cell, rec.Hidden);
            if (rec.RecurrentBias is { } bh) NetworkWeights.Reorder(bh.Value, b.AsSpan(rec.GateWidth), shape.Cell, rec.Hidden);
            yield return TensorProto.Floats(NetworkWeights.B(l), [1, b.Length], b);
            if (shape.Conditioning.HasFlag(ImageConditioning.InitialState))
            {
                yield return TensorProto.Floats(InitialWeight(l), [shape.Features, shape.Hidden], p[$"layer{l}.initial.W"].Value);
                yield return TensorProto.Floats(InitialBias(l), [shape.Hidden], p[$"layer{l}.initial.b"].Value);
            }
        }
        yield return TensorProto.Floats(NetworkWeights.OutputWeight, [shape.Hidden, v], p["output.W"].Value);
        yield return TensorProto.Floats(NetworkWeights.OutputBias, [v], p["output.b"].Value);
    }
}
