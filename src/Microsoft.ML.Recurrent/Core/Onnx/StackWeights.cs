using Microsoft.ML.Recurrent.Layers;

namespace Microsoft.ML.Recurrent.Onnx;

/// <summary>
/// Moves a <see cref="StackedRecurrence"/>'s weights into ONNX's layout and back, for <see cref="RecurrentStack"/>.
/// Ours are row-major [in, G·H] used as x·W with gate blocks LSTM [i f o g], GRU [r z n]; ONNX's RNN/LSTM/GRU ops
/// take W [D, G·H, in] and R [D, G·H, H] (used as x·Wᵀ) with gate blocks LSTM [i o f c], GRU [z r h], and
/// B [D, 2·G·H] = [Wb | Rb] (Rb holds the GRU's recurrent bias, zeros for RNN and LSTM). The output projection
/// after the stack (<see cref="OutputWeight"/>, <see cref="OutputBias"/>) is a plain MatMul + Add.
/// </summary>
internal static class StackWeights
{
    // prefix: "" for a task's one stack; a second stack in the same graph (a tagger's character stack) names its own.
    public static string W(int layer, string prefix = "") => $"{prefix}layer{layer}.W";
    public static string R(int layer, string prefix = "") => $"{prefix}layer{layer}.R";
    public static string B(int layer, string prefix = "") => $"{prefix}layer{layer}.B";
    public const string OutputWeight = "output.W", OutputBias = "output.b";

    /// <summary>The ONNX operator of a cell.</summary>
    public static string Operator(RecurrentCell cell) => cell switch
    {
        RecurrentCell.Rnn => "RNN",
        RecurrentCell.Lstm => "LSTM",
        _ => "GRU",
    };

    /// <summary>
    /// A stack's weights as the initializers <see cref="RecurrentStack"/> reads, layer by layer: W(l) [D, G·H, in],
    /// R(l) [D, G·H, H] and B(l) [D, 2·G·H], the directions in ONNX's order (forward, then reverse). Layer 0's input
    /// weight and bias are <paramref name="firstInput"/> when its pre-activations belong to the caller (a one-hot
    /// lookup, a folded table), else the stack's own projection. <paramref name="prefix"/> starts every name (the same
    /// prefix given to <see cref="RecurrentStack"/>), for a graph with more than one stack.
    /// </summary>
    public static IEnumerable<TensorProto> Stack(StackedRecurrence stack, (Parameter Weight, Parameter Bias)? firstInput = null, string prefix = "")
    {
        var shape = stack.Shape;
        int directions = shape.Directions;
        for (int l = 0; l < shape.Layers; l++)
        {
            var recurrences = new Recurrence[directions];
            var inputs = new (Parameter Weight, Parameter Bias)[directions];
            for (int d = 0; d < directions; d++)
            {
                recurrences[d] = stack.RecurrenceAt(l, d);
                inputs[d] = stack.ProjectionAt(l, d) is { } projection ? (projection.Weight, projection.Bias)
                    : firstInput ?? throw new ArgumentNullException(nameof(firstInput), "The stack's layer 0 belongs to its caller, whose input weights are needed.");
            }
            yield return Transposed(W(l, prefix), [.. inputs.Select(i => i.Weight)], shape.Cell);
            yield return Transposed(R(l, prefix), [.. recurrences.Select(r => r.RecurrentWeight)], shape.Cell);
            int g = recurrences[0].GateWidth;
            var bias = new float[directions * 2 * g];
            for (int d = 0; d < directions; d++)
            {
                Reorder(inputs[d].Bias.Value, bias.AsSpan(d * 2 * g, g), shape.Cell, shape.Hidden);
                if (recurrences[d].RecurrentBias is { } bh) Reorder(bh.Value, bias.AsSpan(d * 2 * g + g, g), shape.Cell, shape.Hidden);
            }
            yield return TensorProto.Floats(B(l, prefix), [directions, 2 * g], bias);
        }
    }

    /// <summary>ONNX gate block k holds our gate block Permutation[k].</summary>
    private static int[] Permutation(RecurrentCell cell) => cell switch
    {
        RecurrentCell.Lstm => [0, 2, 1, 3], // ONNX i o f c  <- ours i f o g
        RecurrentCell.Gru => [1, 0, 2],     // ONNX z r h    <- ours r z n
        _ => [0],
    };

    // ours [in, G·H] per direction -> ONNX [D, G·H, in], gate blocks reordered
    private static TensorProto Transposed(string name, Parameter[] directions, RecurrentCell cell)
    {
        int inputs = directions[0].Rows, width = directions[0].Cols, hidden = width / Permutation(cell).Length;
        var perm = Permutation(cell);
        var dst = new float[directions.Length * width * inputs];
        for (int d = 0; d < directions.Length; d++)
        {
            var src = directions[d].Value;
            int offset = d * width * inputs;
            for (int k = 0; k < perm.Length; k++)
            {
                for (int j = 0; j < hidden; j++)
                {
                    int row = k * hidden + j, col = perm[k] * hidden + j;
                    for (int i = 0; i < inputs; i++) dst[offset + row * inputs + i] = src[i * width + col];
                }
            }
        }
        return TensorProto.Floats(name, [directions.Length, width, inputs], dst);
    }

    public static void Untransposed(ReadOnlySpan<float> src, Parameter p, RecurrentCell cell) => Untransposed(src, p.Value, p.Rows, p.Cols, cell);

    /// <summary>ONNX [G·H, inputs] (one direction, ONNX gate order) → ours [inputs, G·H] row-major (our gate order).</summary>
    public static void Untransposed(ReadOnlySpan<float> src, Span<float> dst, int inputs, int width, RecurrentCell cell)
    {
        var perm = Permutation(cell);
        int hidden = width / perm.Length;
        for (int k = 0; k < perm.Length; k++)
        {
            for (int j = 0; j < hidden; j++)
            {
                int row = k * hidden + j, col = perm[k] * hidden + j;
                for (int i = 0; i < inputs; i++) dst[i * width + col] = src[row * inputs + i];
            }
        }
    }

    private static void Reorder(ReadOnlySpan<float> ours, Span<float> onnx, RecurrentCell cell, int hidden)
    {
        var perm = Permutation(cell);
        for (int k = 0; k < perm.Length; k++) ours.Slice(perm[k] * hidden, hidden).CopyTo(onnx.Slice(k * hidden, hidden));
    }

    public static void Restore(ReadOnlySpan<float> onnx, Span<float> ours, RecurrentCell cell, int hidden)
    {
        var perm = Permutation(cell);
        for (int k = 0; k < perm.Length; k++) onnx.Slice(k * hidden, hidden).CopyTo(ours.Slice(perm[k] * hidden, hidden));
    }

    public static ReadOnlySpan<float> Find(IReadOnlyDictionary<string, TensorProto> initializers, string name, long[] dims)
    {
        if (!initializers.TryGetValue(name, out var t))
            throw new InvalidDataException($"The ONNX model has no weight '{name}'.");
        if (t.Type != ElementType.Float || !t.Dims.AsSpan().SequenceEqual(dims))
            throw new InvalidDataException(
                $"The ONNX weight '{name}' is {t.Type} [{string.Join(", ", t.Dims)}]; the model's metadata calls for Float [{string.Join(", ", dims)}].");
        return t.AsFloats();
    }
}
