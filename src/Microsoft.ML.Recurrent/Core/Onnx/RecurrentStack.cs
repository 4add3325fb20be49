using Microsoft.ML.Recurrent.Layers;

namespace Microsoft.ML.Recurrent.Onnx;

/// <summary>
/// Emits a <see cref="StackedRecurrence"/>'s forward pass as ONNX nodes: one native RNN/LSTM/GRU node per layer,
/// direction "forward" or "bidirectional", reading the weights <see cref="StackWeights.Stack"/> writes. Batch
/// ≥ 1; sequence_lens masks right-padded sequences exactly as our stack does (the reverse direction reads each
/// sequence reversed within its own length; padded outputs are zero). Used by every task's graph: the language
/// model's (and its decode loop's body), the classifier's and the captioner's. For token models it also emits the
/// one-hot input and the output projection over a vocabulary. <c>prefix</c> starts the weight names (as given to
/// <see cref="StackWeights.Stack"/>), for a graph with more than one stack.
/// </summary>
internal sealed class RecurrentStack(StackShape shape, int vocabulary = 0, string prefix = "")
{
    /// <summary>Cell, hidden width, layers and directions.</summary>
    public StackShape Shape { get; } = shape;

    /// <summary>Token vocabulary size for <see cref="OneHot"/> and <see cref="Logits"/> (0 for a stack over float input).</summary>
    public int Vocabulary { get; } = vocabulary;

    /// <summary>ids [n] (int64) → one-hot [n, V] (float).</summary>
    public string OneHot(GraphBuilder g, string ids)
        => g.Add("OneHot", [ids, g.Int64s(Vocabulary), g.Floats(0f, 1f)], AttributeProto.Of("axis", -1L));

    /// <summary>
    /// x [seq, batch, in] → the top layer's outputs [seq, batch, D·H] ([forward | backward] per row) and every
    /// layer's final hidden state (and LSTM cell state), each [D, batch, H]. Initial states, per layer [D, batch, H],
    /// are zero when <paramref name="h0"/> is null; <paramref name="sequenceLengths"/> (int32 [batch]) null means
    /// every sequence is seq steps long.
    /// </summary>
    public (string Outputs, string[] H, string[] C) Layers(GraphBuilder g, string x, string[]? h0 = null, string[]? c0 = null,
        string? sequenceLengths = null)
    {
        bool lstm = Shape.Cell == RecurrentCell.Lstm;
        if (h0 != null && (h0.Length != Shape.Layers || (lstm && c0?.Length != Shape.Layers)))
            throw new ArgumentException($"Expected {Shape.Layers} initial states per kind, one per layer.", nameof(h0));
        var h = new string[Shape.Layers];
        var c = new string[lstm ? Shape.Layers : 0];
        string op = StackWeights.Operator(Shape.Cell);
        var attributes = new List<AttributeProto>
        {
            AttributeProto.Of("hidden_size", (long)Shape.Hidden),
            AttributeProto.Of("direction", Shape.Bidirectional ? "bidirectional" : "forward"),
        };
        // Our GRU applies the reset gate to (h·Wh + bh), as PyTorch does: ONNX's linear_before_reset.
        if (Shape.Cell == RecurrentCell.Gru) attributes.Add(AttributeProto.Of("linear_before_reset", 1L));
        for (int l = 0; l < Shape.Layers; l++)
        {
            string[] inputs = [x, StackWeights.W(l, prefix), StackWeights.R(l, prefix), StackWeights.B(l, prefix), sequenceLengths ?? "",
                h0?[l] ?? "", lstm ? c0?[l] ?? "" : ""];
            int used = inputs.Length;
            while (inputs[used - 1].Length == 0) used--; // trailing optional inputs are left out, not named empty
            string[] outputs = lstm ? [g.Fresh("Y"), g.Fresh("Y_h"), g.Fresh("Y_c")] : [g.Fresh("Y"), g.Fresh("Y_h")];
            g.AddMany(op, inputs[..used], outputs, [.. attributes]);
            h[l] = outputs[1];
            if (lstm) c[l] = outputs[2];
            // Y [seq, D, batch, H] -> [seq, batch, D·H]: the directions side by side, as the next layer reads them
            // (Gather + Concat rather than a Transpose: our writer has no list attributes for its perm)
            string y = outputs[0];
            x = Shape.Bidirectional
                ? g.Add("Concat", [g.Add("Gather", [y, g.Int64(0)], AttributeProto.Of("axis", 1L)), g.Add("Gather", [y, g.Int64(1)], AttributeProto.Of("axis", 1L))],
                    AttributeProto.Of("axis", 2L))
                : g.Squeeze(y, 1);
        }
        return (x, h, c);
    }

    /// <summary>hidden [n, H] → logits [n, V].</summary>
    public string Logits(GraphBuilder g, string hidden)
        => g.Add("Add", [g.Add("MatMul", [hidden, StackWeights.OutputWeight]), StackWeights.OutputBias]);
}
