using Microsoft.ML.Recurrent.Onnx;

namespace Microsoft.ML.Recurrent.Classification;

/// <summary>
/// Reads a sequence classifier that PyTorch exported with <c>torch.onnx.export</c> — <c>nn.Embedding</c> (Gather) →
/// <c>nn.LSTM</c> / <c>nn.GRU</c> / <c>nn.RNN</c> (forward ONNX nodes, one per layer, each reading the one before it
/// through the Squeeze of its direction axis) → <c>h_n[-1]</c> → <c>nn.Linear</c> (Gemm) — into a
/// <see cref="SequenceClassifierNetwork"/> with last-step pooling that computes the same logits.
/// </summary>
/// <remarks>
/// torch exports <c>h_n[-1]</c> as a Gather along axis 0 of the last node's Y_h (one layer) or of the Concat of every
/// layer's Y_h; the index must pick the last layer. The recurrent nodes are read and mapped by the code the character
/// model import uses (<see cref="TorchOnnxGraph"/>). A binary model has one logit (the log-odds of the positive class,
/// which becomes class 1's logit, class 0's being zero) or two (negative, positive); a multiclass model one logit per
/// class. The embedding table keeps its rows: the model's token id is our token id, 0 the unknown word.
/// </remarks>
internal static class PyTorchClassifierImport
{
    public static SequenceClassifierNetwork Read(ReadOnlySpan<byte> onnx, int vocabulary, bool binary, int classes, string source)
    {
        var graph = new TorchOnnxGraph(OnnxFormat.Read(onnx), source, "a sequence classifier");
        var network = Trace(graph, vocabulary, binary, classes);
        OnnxModelFile.RequireFiniteWeights(network.Parameters.Values, source);
        return network;
    }

    private static SequenceClassifierNetwork Trace(TorchOnnxGraph g, int vocabulary, bool binary, int classes)
    {
        const string StateHint = "passes its final cell state (Y_c) on; a classifier on h_n[-1] uses only the final hidden state Y_h";
        // Output ← Gemm ← Gather(axis 0, last layer) ← Y_h of the last node, or Concat(Y_h of every node)
        var head = Producer(g, g.Output, "the output");
        if (head.OpType != "Gemm")
            throw g.Refuse(head, "computes the output; the model must end in nn.Linear on h_n[-1] (Gemm), giving the logits (no softmax or sigmoid)");
        var last = Producer(g, head.Inputs[0], "the linear layer's input");
        if (last.OpType != "Gather" || TorchOnnxGraph.Attribute(last, "axis", 0) != 0 || last.Inputs.Length != 2)
            throw g.Refuse(last, "feeds the linear layer; the model must classify h_n[-1] (a Gather along axis 0 of the final hidden states)");
        var index = g.Constant(last, 1, "layer index");
        if (index.Dims.Length != 0 || index.ElementCount != 1) throw g.Refuse(last, "picks more than one layer's final state");
        long picked = index.AsInt64s()[0];
        var states = Producer(g, last.Inputs[0], "the final hidden states");
        string[] finals = states.OpType == "Concat" && TorchOnnxGraph.Attribute(states, "axis", 0) == 0 ? states.Inputs : [last.Inputs[0]];

        // Back from the last node to the embedding: each node reads Squeeze(Y of the one before, axis 1).
        var nodes = new List<NodeProto>();
        var node = Producer(g, finals[^1], "the last layer's final state");
        while (true)
        {
            if (node.OpType is not ("LSTM" or "GRU" or "RNN")) throw g.Refuse(node, "is where a recurrent layer (LSTM, GRU or RNN) was expected");
            nodes.Insert(0, node);
            var before = Producer(g, node.Inputs[0], "a recurrent layer's input");
            if (before.OpType != "Squeeze") { node = before; break; }
            long[] axes = before.Inputs.Length > 1 ? g.Constant(before, 1, "axes").AsInt64s() : before.Attributes.FirstOrDefault(a => a.Name == "axes")?.Ints ?? [];
            if (axes is not [1]) throw g.Refuse(before, "squeezes an axis other than the recurrent output's direction axis (1)");
            node = Producer(g, before.Inputs[0], "the squeezed recurrent output");
            if (node.OpType is not ("LSTM" or "GRU" or "RNN") || node.Outputs[0] != before.Inputs[0])
                throw g.Refuse(before, "squeezes something other than a recurrent layer's output Y");
        }
        for (int l = 0; l < nodes.Count; l++)
            if (finals.Length != 1 && (finals.Length != nodes.Count || nodes[l].Outputs.Length < 2 || finals[l] != nodes[l].Outputs[1]))
                throw g.Refuse(states, "concatenates something other than every layer's final hidden state Y_h, in order");
        if (finals.Length == 1 && (nodes.Count != 1 || nodes[0].Outputs.Length < 2 || finals[0] != nodes[0].Outputs[1]))
            throw g.Refuse(last, "gathers from something other than the final hidden states; a multi-layer model's are the Concat of every layer's Y_h");
        if (picked != -1 && picked != nodes.Count - 1)
            throw g.Refuse(last, $"picks layer {picked}'s final state, not the last layer's (h_n[-1])");

        // The embedding, with at most a batch_first Transpose between it and the first layer.
        if (node.OpType == "Transpose")
        {
            var perm = node.Attributes.FirstOrDefault(a => a.Name == "perm")?.Ints;
            if (perm is not [1, 0, 2]) throw g.Refuse(node, "permutes the embedded tokens other than batch_first's [1, 0, 2]");
            node = Producer(g, node.Inputs[0], "the embedded tokens");
        }
        if (node.OpType != "Gather") throw g.Refuse(node, "is where the embedding lookup (nn.Embedding: a Gather of the token ids) was expected");
        var table = g.EmbeddingTable(node, g.Input);
        int rows = checked((int)table.Dims[0]), width = checked((int)table.Dims[1]);
        if (rows != vocabulary)
            throw new ArgumentException($"The token list has {vocabulary - 1} tokens (ids 1..{vocabulary - 1}, 0 the unknown word), but the ONNX model in {g.Source} embeds {rows} ids, so {rows - 1} tokens.", "tokens");

        var layers = new List<TorchRecurrentLayer>();
        int features = width;
        foreach (var n in nodes)
        {
            var layer = g.Recurrent(n, features, finalHiddenUsed: true, StateHint);
            if (layers.Count > 0) g.RequireLikeFirst(layers[0], layer, n);
            // Y of every layer but the last feeds the next one; the last layer's Y goes nowhere.
            if (n == nodes[^1] && g.IsUsed(n.Outputs[0])) throw g.Refuse(n, "passes its output Y on; a classifier on h_n[-1] uses only the final hidden state");
            layers.Add(layer);
            features = layer.Hidden;
        }
        var (weight, bias) = g.Linear(head, features);
        int logits = bias.Length;
        if (binary ? logits is not (1 or 2) : logits != classes)
            throw g.Invalid(binary
                ? $"has {logits} logits; a binary classifier has one (the log-odds of the positive class) or two (negative, positive)"
                : $"has {logits} logits for {classes} classes");

        var shape = new ClassifierShape(layers[0].Cell, rows, width, layers[0].Hidden, layers.Count, Bidirectional: false, SequencePooling.Last, binary ? 2 : classes);
        var network = new SequenceClassifierNetwork(shape);
        table.AsFloats().CopyTo(network.Embedding!.Weight.Value);
        for (int l = 0; l < layers.Count; l++)
        {
            var projection = network.Stack.ProjectionAt(l, 0)!;
            TorchOnnxGraph.Load(layers[l], network.Stack.RecurrenceAt(l, 0), projection.Weight, projection.Bias);
        }
        // weight [H, logits] → ours [H, classes]; one logit z becomes class 1's, class 0's is 0: log-odds z₁ − z₀ = z.
        var ours = network.Output.Weight.Value;
        int c = shape.Classes, offset = logits == 1 ? 1 : 0;
        for (int h = 0; h < features; h++)
            for (int k = 0; k < logits; k++) ours[h * c + k + offset] = weight[h * logits + k];
        bias.CopyTo(network.Output.Bias.Value[offset..]);
        return network;
    }

    private static NodeProto Producer(TorchOnnxGraph g, string value, string what)
        => g.Producers.TryGetValue(value, out var node) ? node
            : throw g.Invalid(value == g.Input ? $"computes {what} from the token ids directly" : $"has {what} '{value}', which no node computes");
}
