using Microsoft.ML.Recurrent.Models;

namespace Microsoft.ML.Recurrent.Onnx;

/// <summary>
/// Emits a <see cref="LanguageNetwork"/>'s forward pass as ONNX nodes: one-hot token ids, one native
/// RNN/LSTM/GRU node per layer (weights from <see cref="NetworkWeights"/>), and the output projection.
/// Batch is always 1. Used by both exported graphs and by the decode loop's body.
/// </summary>
internal sealed class RecurrentStack(NetworkShape shape)
{
    public NetworkShape Shape { get; } = shape;

    /// <summary>ids [n] (int64) → one-hot [n, V] (float).</summary>
    public string OneHot(GraphBuilder g, string ids)
        => g.Add("OneHot", [ids, g.Int64s(Shape.Vocabulary), g.Floats(0f, 1f)], AttributeProto.Of("axis", -1L));

    /// <summary>
    /// x [seq, 1, V] (one-hot) → the last layer's outputs [seq, 1, H] and every layer's final hidden state
    /// (and LSTM cell state), each [1, 1, H]. Initial states are zero when <paramref name="h0"/> is null.
    /// </summary>
    public (string Outputs, string[] H, string[] C) Layers(GraphBuilder g, string x, string[]? h0 = null, string[]? c0 = null)
    {
        bool lstm = Shape.Cell == RecurrentCell.Lstm;
        var h = new string[Shape.Layers];
        var c = new string[lstm ? Shape.Layers : 0];
        string op = NetworkWeights.Operator(Shape.Cell);
        for (int l = 0; l < Shape.Layers; l++)
        {
            var inputs = new List<string> { x, NetworkWeights.W(l), NetworkWeights.R(l), NetworkWeights.B(l) };
            if (h0 != null)
            {
                inputs.Add(""); // sequence_lens: all sequences are full length
                inputs.Add(h0[l]);
                if (lstm) inputs.Add(c0![l]);
            }
            var attributes = new List<AttributeProto> { AttributeProto.Of("hidden_size", (long)Shape.Hidden) };
            // Our GRU applies the reset gate to (h·Wh + bh), as PyTorch does: ONNX's linear_before_reset.
            if (Shape.Cell == RecurrentCell.Gru) attributes.Add(AttributeProto.Of("linear_before_reset", 1L));
            string[] outputs = lstm ? [g.Fresh("Y"), g.Fresh("Y_h"), g.Fresh("Y_c")] : [g.Fresh("Y"), g.Fresh("Y_h")];
            g.AddMany(op, [.. inputs], outputs, [.. attributes]);
            h[l] = outputs[1];
            if (lstm) c[l] = outputs[2];
            x = g.Squeeze(outputs[0], 1); // Y [seq, directions = 1, batch, H] -> [seq, batch, H]
        }
        return (x, h, c);
    }

    /// <summary>hidden [n, H] → logits [n, V].</summary>
    public string Logits(GraphBuilder g, string hidden)
        => g.Add("Add", [g.Add("MatMul", [hidden, NetworkWeights.OutputWeight]), NetworkWeights.OutputBias]);
}
