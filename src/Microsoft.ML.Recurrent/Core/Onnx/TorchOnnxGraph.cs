using System.Globalization;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Numerics;

namespace Microsoft.ML.Recurrent.Onnx;

/// <summary>One forward ONNX LSTM/GRU/RNN node's weights as <c>torch.onnx.export</c> writes them (ONNX layout, one
/// direction): W [G·H, inputs], R [G·H, H], B [2·G·H] (Wb then Rb; zeros when the node has none).</summary>
internal sealed record TorchRecurrentLayer(RecurrentCell Cell, int Hidden, int Inputs, float[] W, float[] R, float[] B, string Node);

/// <summary>
/// What the PyTorch importers (<see cref="LanguageModel.PyTorchImport"/>, <c>Classification.PyTorchClassifierImport</c>)
/// share about a graph written by <c>torch.onnx.export</c>: its constants (initializers and Constant nodes) and the node
/// producing each value, its one int64 token-id input and one output, reading a recurrent node's weights with every
/// check on its attributes and initial states (<see cref="Recurrent"/>), and putting them into our layers (<see cref="Load"/>).
/// Errors are <see cref="InvalidDataException"/>s that name the node and what the model was read as.
/// </summary>
internal class TorchOnnxGraph
{
    private readonly string _source;
    private readonly string _kind;

    /// <param name="model">The parsed model.</param>
    /// <param name="source">Where it came from, for messages ("'model.onnx'", "the data").</param>
    /// <param name="kind">What it is read as, for messages ("a character language model").</param>
    public TorchOnnxGraph(ModelProto model, string source, string kind)
    {
        _source = source;
        _kind = kind;
        Opset = model.Opset;
        var g = model.Graph;
        foreach (var t in g.Initializers) Constants[t.Name] = t;
        foreach (var node in g.Nodes)
        {
            if (node.Domain is not ("" or "ai.onnx")) throw Refuse(node, $"is in the operator domain '{node.Domain}'");
            foreach (string o in node.Outputs.Where(o => o.Length > 0)) Producers[o] = node;
            if (node.OpType == "Constant")
            {
                var value = node.Attributes.FirstOrDefault(a => a.Name == "value" && a.Kind == AttributeKind.Tensor)?.Tensor;
                if (value != null && node.Outputs.Length == 1) Constants[node.Outputs[0]] = value;
            }
        }
        var inputs = g.Inputs.Where(i => !Constants.ContainsKey(i.Name)).ToList();
        if (inputs.Count != 1)
            throw Invalid($"has {inputs.Count} inputs ({string.Join(", ", inputs.Select(i => i.Name))}); the model must have one: the token ids");
        if (inputs[0].Type != ElementType.Int64 || inputs[0].Shape.Length != 2)
            throw Invalid($"has the input '{inputs[0].Name}' of {inputs[0].Type} [{string.Join(", ", inputs[0].Shape)}]; " +
                "the input must be int64 token ids [sequence, batch] or [batch, sequence] (batch_first)");
        Input = inputs[0].Name;
        if (g.Outputs.Count != 1)
            throw Invalid($"has {g.Outputs.Count} outputs ({string.Join(", ", g.Outputs.Select(o => o.Name))}); export only the logits (or probabilities), not the recurrent state");
        Output = g.Outputs[0].Name;
    }

    /// <summary>Where the model came from, for messages.</summary>
    public string Source => _source;

    public long Opset { get; }
    public Dictionary<string, TensorProto> Constants { get; } = [];
    public Dictionary<string, NodeProto> Producers { get; } = [];
    public string Input { get; }
    public string Output { get; }

    /// <summary>
    /// Reads a forward LSTM/GRU/RNN node of <paramref name="inputs"/> features per step: default activations, no
    /// sequence_lens or peepholes, zero initial states, a GRU with linear_before_reset = 1 (PyTorch's form, which ours is).
    /// The final cell state Y_c must be unused; the final hidden state Y_h too unless <paramref name="finalHiddenUsed"/>.
    /// </summary>
    public TorchRecurrentLayer Recurrent(NodeProto node, int inputs, bool finalHiddenUsed, string stateHint)
    {
        var cell = node.OpType switch { "LSTM" => RecurrentCell.Lstm, "GRU" => RecurrentCell.Gru, _ => RecurrentCell.Rnn };
        int gates = cell switch { RecurrentCell.Lstm => 4, RecurrentCell.Gru => 3, _ => 1 };
        string direction = node.Attributes.FirstOrDefault(a => a.Name == "direction")?.Text ?? "forward";
        if (direction != "forward")
            throw Refuse(node, $"is {direction} (direction = {direction}); only forward (unidirectional) recurrences can be imported" +
                (finalHiddenUsed ? "" : ": a bidirectional model reads text it has not generated yet"));
        foreach (var a in node.Attributes)
        {
            bool fine = a.Name switch
            {
                "hidden_size" or "direction" => true,
                "layout" => a.Int == 0,
                "input_forget" => a.Int == 0,
                "linear_before_reset" => cell == RecurrentCell.Gru,
                "activations" => cell == RecurrentCell.Rnn ? a.Strings is ["Tanh"] : DefaultActivations(cell, a.Strings),
                _ => false,
            };
            if (!fine)
            {
                string value = a.Kind switch { AttributeKind.Int => a.Int.ToString(CultureInfo.InvariantCulture), AttributeKind.Strings => string.Join(", ", a.Strings), _ => a.Kind.ToString() };
                throw Refuse(node, $"has the attribute {a.Name} = {value}, which this import does not support" +
                    (a.Name == "activations" && cell == RecurrentCell.Rnn ? " (only nn.RNN's default tanh nonlinearity is)" : ""));
            }
        }
        if (cell == RecurrentCell.Gru && Attribute(node, "linear_before_reset", 0) != 1)
            throw Refuse(node, "has linear_before_reset = 0 (the reset gate applied before the recurrent matrix product); our GRU is PyTorch's form, linear_before_reset = 1, and would compute different results");
        long hiddenSize = Attribute(node, "hidden_size", 0);
        var w = Constant(node, 1, "W");
        var r = Constant(node, 2, "R");
        if (w.Dims.Length != 3 || w.Dims[0] != 1 || w.Dims[1] != gates * hiddenSize || w.Dims[2] != inputs)
            throw Refuse(node, $"has W [{string.Join(", ", w.Dims)}], not [1, {gates}×{hiddenSize}, {inputs}]");
        if (r.Dims.Length != 3 || r.Dims[0] != 1 || r.Dims[1] != gates * hiddenSize || r.Dims[2] != hiddenSize)
            throw Refuse(node, $"has R [{string.Join(", ", r.Dims)}], not [1, {gates}×{hiddenSize}, {hiddenSize}] (an LSTM with proj_size cannot be imported)");
        int h = checked((int)hiddenSize), g = gates * h;
        float[] b = new float[2 * g];
        if (Present(node, 3))
        {
            var bt = Constant(node, 3, "B");
            if (bt.Dims.Length != 2 || bt.Dims[0] != 1 || bt.Dims[1] != 2 * g) throw Refuse(node, $"has B [{string.Join(", ", bt.Dims)}], not [1, {2 * g}]");
            b = bt.AsFloats().ToArray();
        }
        if (Present(node, 4)) throw Refuse(node, "has sequence_lens; export the model without packed sequences");
        for (int i = 5; i <= 6; i++)
            if (Present(node, i) && !IsZeros(node.Inputs[i], 0))
                throw Refuse(node, $"starts from a {(i == 5 ? "hidden" : "cell")} state that is not zero; export a model that starts each text from the zero state");
        if (Present(node, 7)) throw Refuse(node, "has peephole weights (P)");
        if (node.Outputs.Skip(finalHiddenUsed ? 2 : 1).Any(o => o.Length > 0 && IsUsed(o)))
            throw Refuse(node, stateHint);
        return new TorchRecurrentLayer(cell, h, inputs, w.AsFloats().ToArray(), r.AsFloats().ToArray(), b, node.Name);
    }

    /// <summary>Our stack has one cell kind and one width: a layer read after <paramref name="first"/> must match it.</summary>
    public void RequireLikeFirst(TorchRecurrentLayer first, TorchRecurrentLayer layer, NodeProto node)
    {
        if (layer.Cell != first.Cell || layer.Hidden != first.Hidden)
            throw Refuse(node, $"is a {layer.Cell} of {layer.Hidden} units after a {first.Cell} of {first.Hidden}; every layer must have the same cell and size");
    }

    /// <summary>
    /// Puts one layer's weights into our recurrence and its input projection (<paramref name="inputWeight"/> [inputs, G·H],
    /// <paramref name="inputBias"/> [G·H]). ONNX W/R/B (gate orders i o f c, z r h) go through <see cref="StackWeights"/>
    /// into our layout; LSTM and RNN have no recurrent bias of their own here, so Wb + Rb becomes the input bias (the same
    /// sum); the GRU keeps Rb as its recurrent bias, exact because our GRU is ONNX's linear_before_reset = 1 form. Given
    /// an <paramref name="embedding"/> E [V, e], the input weight becomes the folded table E·Wᵀ [V, G·H] (a row per token,
    /// what a Gather followed by x·Wᵀ computes).
    /// </summary>
    public static void Load(TorchRecurrentLayer layer, Recurrence rec, Parameter inputWeight, Parameter inputBias, float[]? embedding = null, int vocabulary = 0)
    {
        var cell = layer.Cell;
        int g = rec.GateWidth, hidden = layer.Hidden;
        if (embedding != null)
        {
            var w = new float[layer.Inputs * g];
            StackWeights.Untransposed(layer.W, w, layer.Inputs, g, cell);
            Gemm.MatMul(embedding, w, inputWeight.Value, vocabulary, layer.Inputs, g, accumulate: false);
        }
        else
        {
            StackWeights.Untransposed(layer.W, inputWeight, cell);
        }
        StackWeights.Untransposed(layer.R, rec.RecurrentWeight, cell);
        var bias = layer.B.AsSpan();
        if (rec.RecurrentBias is { } bh)
        {
            StackWeights.Restore(bias[..g], inputBias.Value, cell, hidden);
            StackWeights.Restore(bias[g..], bh.Value, cell, hidden);
        }
        else
        {
            // x·W + Wb + h·R + Rb: one bias of Wb + Rb
            var sum = new float[g];
            System.Numerics.Tensors.TensorPrimitives.Add(bias[..g], bias[g..], sum);
            StackWeights.Restore(sum, inputBias.Value, cell, hidden);
        }
    }

    /// <summary>A Gemm node that is a plain x·Wᵀ + b (or x·W + b) of <paramref name="features"/> inputs: W as [features, outputs] and b.</summary>
    public (float[] Weight, float[] Bias) Linear(NodeProto node, int features)
    {
        if (Attribute(node, "transA", 0) != 0 || FloatAttribute(node, "alpha", 1f) != 1f || FloatAttribute(node, "beta", 1f) != 1f)
            throw Refuse(node, "has transA, alpha or beta other than a plain x·W + b");
        var w = Constant(node, 1, "weight");
        bool transB = Attribute(node, "transB", 0) != 0;
        if (w.Type != ElementType.Float || w.Dims.Length != 2 || w.Dims[transB ? 1 : 0] != features)
            throw Refuse(node, $"multiplies by a {w.Type} [{string.Join(", ", w.Dims)}] tensor, not {features} features");
        int v = (int)w.Dims[transB ? 0 : 1];
        var weight = transB ? Transpose(w.AsFloats(), v, features) : w.AsFloats().ToArray();
        var bias = node.Inputs.Length > 2 && node.Inputs[2].Length > 0 ? Bias(node, node.Inputs[2], v) : new float[v];
        return (weight, bias);
    }

    /// <summary>An embedding lookup Gather(table, ids) along axis 0: the float table [V, e].</summary>
    public TensorProto EmbeddingTable(NodeProto node, string ids)
    {
        if (node.Inputs.Length != 2 || node.Inputs[1] != ids) throw Refuse(node, "does not look up the token ids in a table");
        var table = Constant(node, 0, "embedding table");
        if (table.Type != ElementType.Float || table.Dims.Length != 2) throw Refuse(node, $"looks up rows of a {table.Type} [{string.Join(", ", table.Dims)}] tensor, not a float [V, e] embedding");
        if (Attribute(node, "axis", 0) != 0) throw Refuse(node, "gathers along an axis other than 0");
        return table;
    }

    private static bool DefaultActivations(RecurrentCell cell, string[] activations)
        => cell == RecurrentCell.Lstm ? activations is ["Sigmoid", "Tanh", "Tanh"] : activations is ["Sigmoid", "Tanh"];

    public bool IsUsed(string value) => value == Output || Producers.Values.Distinct().Any(n => n.Inputs.Contains(value));

    // A value that is all zeros: a zero constant, ConstantOfShape(0), or a slice/reshape/cast of one (how torch makes h0 and c0).
    public bool IsZeros(string value, int depth)
    {
        if (depth > 16) return false;
        if (Constants.TryGetValue(value, out var t)) return t.Type == ElementType.Float && !t.AsFloats().ContainsAnyExcept(0f);
        if (!Producers.TryGetValue(value, out var node)) return false;
        return node.OpType switch
        {
            "ConstantOfShape" => node.Attributes.FirstOrDefault(a => a.Name == "value")?.Tensor is not { } v
                || v.AsInt64sOrFloats().All(x => x == 0),
            "Slice" or "Reshape" or "Squeeze" or "Unsqueeze" or "Expand" or "Cast" or "Identity" or "Transpose" or "Gather" => IsZeros(node.Inputs[0], depth + 1),
            _ => false,
        };
    }

    public float[] Bias(NodeProto node, string name, int size)
    {
        if (!Constants.TryGetValue(name, out var t)) throw Refuse(node, $"adds '{name}', which is not a constant bias");
        if (t.Type != ElementType.Float || t.ElementCount != size || (t.Dims.Length > 0 && t.Dims[^1] != size))
            throw Refuse(node, $"adds a {t.Type} [{string.Join(", ", t.Dims)}] tensor, not a float bias of {size}");
        return t.AsFloats().ToArray();
    }

    public static float[] Transpose(ReadOnlySpan<float> src, int rows, int cols)
    {
        var dst = new float[rows * cols];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) dst[c * rows + r] = src[r * cols + c];
        return dst;
    }

    public static bool Present(NodeProto node, int input) => node.Inputs.Length > input && node.Inputs[input].Length > 0;

    public TensorProto Constant(NodeProto node, int input, string what)
    {
        if (!Present(node, input)) throw Refuse(node, $"has no {what}");
        string name = node.Inputs[input];
        if (Constants.TryGetValue(name, out var t)) return t;
        string producer = Producers.TryGetValue(name, out var p) ? $" (computed by the {p.OpType} node '{p.Name}')" : "";
        throw Refuse(node, $"reads its {what} from '{name}'{producer}, which is not a constant initializer");
    }

    public long Scalar(NodeProto node, int input, string what)
    {
        var values = Constant(node, input, what).AsInt64sOrFloats();
        return values.Length == 1 ? values[0] : throw Refuse(node, $"has a {what} that is not one number");
    }

    public static long Attribute(NodeProto node, string name, long fallback)
        => node.Attributes.FirstOrDefault(a => a.Name == name) is { } a ? a.Int : fallback;

    public static float FloatAttribute(NodeProto node, string name, float fallback)
        => node.Attributes.FirstOrDefault(a => a.Name == name) is { } a ? a.Float : fallback;

    public InvalidDataException Refuse(NodeProto node, string what)
        => new($"The ONNX model in {_source} cannot be imported as {_kind}: its {node.OpType} node '{node.Name}' {what}.");

    public InvalidDataException Invalid(string what)
        => new($"The ONNX model in {_source} cannot be imported as {_kind}: it {what}.");
}

internal static class TorchTensors
{
    /// <summary>An integer or float tensor's elements as integers (a OneHot's depth and values come in either type).</summary>
    public static long[] AsInt64sOrFloats(this TensorProto t)
        => t.Type == ElementType.Float ? [.. t.AsFloats().ToArray().Select(f => f == MathF.Round(f) ? (long)f : long.MinValue)] : t.AsInt64s();
}
