using System.Globalization;
using System.Text;
using Microsoft.ML.Recurrent.Numerics;
using Microsoft.ML.Recurrent.Onnx;

namespace Microsoft.ML.Recurrent.LanguageModel;

/// <summary>
/// Reads a character model that another framework exported to ONNX — PyTorch's <c>torch.onnx.export</c> of
/// one-hot input (<c>F.one_hot</c>: OneHot + Cast) or <c>nn.Embedding</c> (Gather) → <c>nn.LSTM</c> / <c>nn.GRU</c> /
/// <c>nn.RNN</c> (forward ONNX LSTM/GRU/RNN nodes, one per layer) → <c>nn.Linear</c> (MatMul + Add, or Gemm) — into a
/// <see cref="LanguageNetwork"/> that computes the same next-character distributions.
/// </summary>
/// <remarks>
/// The graph is walked back from its one output to its one input; every node on that path must be one of the ops
/// above or a layout op torch emits around them (Transpose for batch_first, Squeeze of the direction axis, Reshape to
/// rows, Cast, Identity, a final Softmax / LogSoftmax). Every other input of those nodes must be a constant (an
/// initializer or a Constant node), except the recurrent nodes' initial states, which must be zeros (torch computes
/// them with Shape → ConstantOfShape(0) → Slice). Anything else is refused with an <see cref="InvalidDataException"/>
/// that names the node. Mapping: ONNX W/R/B (gate orders i o f c, z r h) go through <see cref="StackWeights"/> into our
/// layout; LSTM and RNN have no recurrent bias of their own here, so Wb + Rb becomes our input bias (the same sum);
/// the GRU keeps Rb as its recurrent bias, which is exact because our GRU is ONNX's linear_before_reset = 1 form (as
/// PyTorch's) — a GRU node with linear_before_reset = 0 is refused. With an embedding E [V, e] the layer-0 input
/// table is E·W₀ᵀ [V, G·H]: our layer 0 reads a row per character, which is what a Gather followed by x·W₀ᵀ computes.
/// Our vocabulary is ordered by code point; the model's token order (the caller's vocabulary) is mapped onto it by
/// permuting the input table's rows and the output projection's columns.
/// </remarks>
internal static class PyTorchImport
{
    public static CharLanguageModel Read(ReadOnlySpan<byte> onnx, IReadOnlyList<string> vocabulary, string source)
    {
        int[] codePoints = CodePoints(vocabulary);
        var model = OnnxFormat.Read(onnx);
        var graph = new Graph(model, source);
        var network = graph.Trace(codePoints.Length);
        // our index j (code points ascending) = the model's token order[j]
        int[] order = [.. Enumerable.Range(0, codePoints.Length).OrderBy(i => codePoints[i])];
        Permute(network, order);
        OnnxModelFile.RequireFiniteWeights(network.Parameters.Values, source);
        return CharLanguageModel.FromNetwork(new CharVocabulary(order.Select(i => codePoints[i])), network);
    }

    /// <summary>Each entry must be one character (one Unicode scalar value), all distinct.</summary>
    private static int[] CodePoints(IReadOnlyList<string> vocabulary)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        if (vocabulary.Count == 0) throw new ArgumentException("The vocabulary is empty.", nameof(vocabulary));
        var codePoints = new int[vocabulary.Count];
        var seen = new Dictionary<int, int>();
        for (int i = 0; i < vocabulary.Count; i++)
        {
            string? entry = vocabulary[i];
            if (entry is null) throw new ArgumentException($"Vocabulary entry {i} is null.", nameof(vocabulary));
            var runes = entry.EnumerateRunes().ToArray();
            if (runes.Length != 1 || Rune.DecodeFromUtf16(entry, out _, out int used) != System.Buffers.OperationStatus.Done || used != entry.Length)
                throw new ArgumentException(
                    $"Vocabulary entry {i} is \"{entry}\" ({runes.Length} characters); every entry must be exactly one character (one Unicode scalar value), " +
                    "the model's token i being entry i. Special tokens (padding, unknown, end) cannot be imported.", nameof(vocabulary));
            codePoints[i] = runes[0].Value;
            if (!seen.TryAdd(codePoints[i], i))
                throw new ArgumentException($"Vocabulary entries {seen[codePoints[i]]} and {i} are both '{runes[0]}' (U+{runes[0].Value:X4}); entries must be distinct.", nameof(vocabulary));
        }
        return codePoints;
    }

    // Torch token order → ours: input-table row j = the model's row order[j], output column j = the model's column order[j].
    private static void Permute(LanguageNetwork network, int[] order)
    {
        int v = order.Length, width = network.Input.Width, hidden = network.Shape.Hidden;
        var input = network.Input.Weight.Value;
        var rows = input.ToArray();
        for (int j = 0; j < v; j++) rows.AsSpan(order[j] * width, width).CopyTo(input.Slice(j * width, width));
        var output = network.Output.Weight.Value;
        var columns = output.ToArray();
        for (int h = 0; h < hidden; h++)
            for (int j = 0; j < v; j++) output[h * v + j] = columns[h * v + order[j]];
        var bias = network.Output.Bias.Value;
        var b = bias.ToArray();
        for (int j = 0; j < v; j++) bias[j] = b[order[j]];
    }

    private sealed class Graph(ModelProto model, string source) : TorchOnnxGraph(model, source, "a character language model")
    {
        /// <summary>Walks the graph and builds the network it computes.</summary>
        public LanguageNetwork Trace(int vocabularySize)
        {
            var path = MainPath();
            // Forward along the path, tracking the axes' meaning: ids [a, b] → features [a, b, f] → ...
            var axes = new List<string> { "a", "b" };
            string? time = null;
            bool embedded = false, oneHot = false, projected = false;
            int features = 0, vocabulary = 0;
            float[]? embedding = null;
            var layers = new List<TorchRecurrentLayer>();
            float[]? outputWeight = null, outputBias = null;
            string current = Input;
            for (int n = 0; n < path.Count; n++)
            {
                var node = path[n];
                switch (node.OpType)
                {
                    case "OneHot" when !embedded:
                        {
                            long depth = Scalar(node, 1, "depth");
                            long[] values = Constant(node, 2, "values").AsInt64sOrFloats();
                            if (values.Length != 2 || values[0] != 0 || values[1] != 1) throw Refuse(node, "has values other than [0, 1]");
                            long axis = Attribute(node, "axis", -1);
                            if (axis is not (-1 or 2)) throw Refuse(node, $"adds its one-hot axis at {axis}, not last");
                            vocabulary = checked((int)depth);
                            features = vocabulary;
                            embedded = oneHot = true;
                            axes.Add("f");
                            break;
                        }
                    case "Gather" when !embedded:
                        {
                            var table = EmbeddingTable(node, current);
                            vocabulary = checked((int)table.Dims[0]);
                            features = checked((int)table.Dims[1]);
                            embedding = table.AsFloats().ToArray();
                            embedded = true;
                            axes.Add("f");
                            break;
                        }
                    case "Cast":
                        if (Attribute(node, "to", 0) != (long)ElementType.Float) throw Refuse(node, "casts to something other than float");
                        if (!embedded) throw Refuse(node, "casts the token ids");
                        break;
                    case "Identity":
                        break;
                    case "Transpose":
                        {
                            var perm = node.Attributes.FirstOrDefault(a => a.Name == "perm")?.Ints ?? [.. Enumerable.Range(0, axes.Count).Reverse().Select(i => (long)i)];
                            if (perm.Length != axes.Count || perm.Distinct().Count() != perm.Length || perm.Any(p => p < 0 || p >= axes.Count))
                                throw Refuse(node, $"has the permutation [{string.Join(", ", perm)}] for a rank-{axes.Count} tensor");
                            axes = [.. perm.Select(p => axes[(int)p])];
                            break;
                        }
                    case "Squeeze":
                        {
                            long[] squeezed = node.Inputs.Length > 1 ? Constant(node, 1, "axes").AsInt64s() : node.Attributes.FirstOrDefault(a => a.Name == "axes")?.Ints ?? [];
                            if (squeezed.Length != 1) throw Refuse(node, "squeezes other than one axis");
                            int at = (int)(squeezed[0] < 0 ? squeezed[0] + axes.Count : squeezed[0]);
                            if (at < 0 || at >= axes.Count || axes[at] != "d") throw Refuse(node, "squeezes an axis other than the recurrent output's direction axis");
                            axes.RemoveAt(at);
                            break;
                        }
                    case "LSTM" or "GRU" or "RNN" when embedded && !projected:
                        {
                            if (axes.Count != 3 || axes[2] != "f" || axes[0] == "f" || axes[1] == "f")
                                throw Refuse(node, $"reads its input with axes [{string.Join(", ", axes)}], not [sequence, batch, features]");
                            time ??= axes[0];
                            if (axes[0] != time) throw Refuse(node, "runs over a different axis than the layer before it");
                            var layer = Recurrent(node, features, finalHiddenUsed: false, "passes its final state (Y_h / Y_c) on; a character model uses every step's output Y");
                            if (layers.Count > 0) RequireLikeFirst(layers[0], layer, node);
                            layers.Add(layer);
                            features = layer.Hidden;
                            axes = [axes[0], "d", axes[1], "f"];
                            break;
                        }
                    case "Reshape" when layers.Count > 0 && !projected:
                        {
                            long[] shape = Present(node, 1) ? ShapeValue(node.Inputs[1], current, axes.Count, features, 0) ?? throw Refuse(node, "has a target shape that is neither constant nor computed from the reshaped tensor's shape") : [];
                            if (axes.Count != 3 || axes[2] != "f" || shape.Length != 2 || shape[0] != -1 || (shape[1] != features && shape[1] != -1) ||
                                Attribute(node, "allowzero", 0) != 0)
                                throw Refuse(node, $"reshapes [{string.Join(", ", axes)}] to [{string.Join(", ", shape)}]; only flattening the rows to [-1, {features}] is understood");
                            axes = ["rows", "f"];
                            break;
                        }
                    case "MatMul" when layers.Count > 0 && !projected:
                        {
                            if (node.Inputs[0] != current || axes[^1] != "f") throw Refuse(node, "does not multiply the recurrent features by a weight matrix");
                            var w = Constant(node, 1, "weight");
                            if (w.Type != ElementType.Float || w.Dims.Length != 2 || w.Dims[0] != features)
                                throw Refuse(node, $"multiplies by a {w.Type} [{string.Join(", ", w.Dims)}] tensor, not float [{features}, V]");
                            outputWeight = w.AsFloats().ToArray();
                            projected = true;
                            var next = n + 1 < path.Count ? path[n + 1] : null;
                            if (next is { OpType: "Add" })
                            {
                                string other = next.Inputs.Length == 2 ? (next.Inputs[0] == node.Outputs[0] ? next.Inputs[1] : next.Inputs[0]) : "";
                                outputBias = Bias(next, other, (int)w.Dims[1]);
                                n++;
                                current = next.Outputs[0];
                                continue;
                            }
                            outputBias = new float[w.Dims[1]];
                            break;
                        }
                    case "Gemm" when layers.Count > 0 && !projected:
                        {
                            if (axes.Count != 2 || axes[1] != "f") throw Refuse(node, $"reads a tensor with axes [{string.Join(", ", axes)}]; flatten the rows first");
                            (outputWeight, outputBias) = Linear(node, features);
                            projected = true;
                            break;
                        }
                    case "Softmax" or "LogSoftmax" when projected && n == path.Count - 1:
                        {
                            long axis = Attribute(node, "axis", Opset >= 13 ? -1 : 1);
                            if (axis != -1 && axis != axes.Count - 1) throw Refuse(node, $"normalizes over axis {axis}, not the vocabulary");
                            break;
                        }
                    default:
                        throw Refuse(node, "is not part of an (embedding or one-hot) → LSTM/GRU/RNN → linear character model" +
                            (layers.Count == 0 ? " before the recurrent layers" : projected ? " after the output projection" : " between the recurrent layers and the output projection"));
                }
                current = node.Outputs[0];
            }
            if (!embedded) throw Invalid("has no one-hot or embedding (Gather) of its token ids");
            if (layers.Count == 0) throw Invalid("has no LSTM, GRU or RNN node");
            if (!projected) throw Invalid("has no output projection (MatMul + Add or Gemm) to the vocabulary after its recurrent layers");
            int vocabularyOut = outputBias!.Length;
            if (vocabularyOut != vocabulary)
                throw Invalid($"reads {vocabulary} token ids but its output projection has {vocabularyOut} logits; a character model's are the same vocabulary");
            if (vocabulary != vocabularySize)
                throw new ArgumentException($"The vocabulary has {vocabularySize} characters, but the ONNX model in {Source} has {vocabulary} tokens.", "vocabulary");
            return Build(layers, vocabulary, oneHot ? null : embedding, outputWeight!, outputBias);
        }

        private static LanguageNetwork Build(List<TorchRecurrentLayer> layers, int vocabulary, float[]? embedding, float[] outputWeight, float[] outputBias)
        {
            var cell = layers[0].Cell;
            int hidden = layers[0].Hidden;
            var shape = new LanguageModelShape(cell, vocabulary, hidden, layers.Count, 0f);
            if (shape.Layers > LanguageModelShape.MaxLayers || hidden > LanguageModelShape.MaxWidth || vocabulary > LanguageModelShape.MaxWidth)
                throw new InvalidDataException($"The ONNX model ({layers.Count} layers of {hidden}, {vocabulary} tokens) is larger than this library builds.");
            var network = new LanguageNetwork(shape);
            for (int l = 0; l < layers.Count; l++)
            {
                var (inW, inB) = l == 0
                    ? (network.Input.Weight, network.Input.Bias)
                    : (network.Stack.ProjectionAt(l, 0)!.Weight, network.Stack.ProjectionAt(l, 0)!.Bias);
                Load(layers[l], network.Recurrences[l], inW, inB, l == 0 ? embedding : null, vocabulary);
            }
            outputWeight.CopyTo(network.Output.Weight.Value);
            outputBias.CopyTo(network.Output.Bias.Value);
            return network;
        }

        // The nodes from the input to the output, in order; each reads the one before it.
        private List<NodeProto> MainPath()
        {
            var path = new List<NodeProto>();
            string value = Output;
            while (value != Input)
            {
                if (!Producers.TryGetValue(value, out var node))
                    throw Invalid(Constants.ContainsKey(value) ? $"computes '{value}' from constants alone" : $"has the value '{value}' that no node produces");
                if (path.Count > 10_000) throw Invalid("has a cycle or an absurdly long path");
                path.Add(node);
                value = DataInput(node, value);
            }
            path.Reverse();
            return path;
        }

        // The input of node through which the token ids reach it; refuses an op this import does not understand.
        private string DataInput(NodeProto node, string output)
        {
            switch (node.OpType)
            {
                case "LSTM" or "GRU" or "RNN":
                    if (node.Outputs[0] != output) throw Refuse(node, "feeds its final state (Y_h / Y_c) on; a character model uses every step's output Y");
                    return node.Inputs[0];
                case "Gather":
                    if (node.Inputs.Length == 2 && Constants.ContainsKey(node.Inputs[0])) return node.Inputs[1];
                    throw Refuse(node, "is not an embedding lookup (a constant table gathered by the token ids)");
                case "MatMul" or "Add":
                    var variable = node.Inputs.Where(i => !Constants.ContainsKey(i)).ToList();
                    if (variable.Count == 1) return variable[0];
                    throw Refuse(node, "does not combine one computed value with a constant weight or bias");
                case "OneHot" or "Cast" or "Identity" or "Transpose" or "Squeeze" or "Reshape" or "Gemm" or "Softmax" or "LogSoftmax":
                    if (node.Inputs.Length == 0 || Constants.ContainsKey(node.Inputs[0])) throw Refuse(node, "does not read the model's data path");
                    return node.Inputs[0];
                default:
                    throw Refuse(node, "is not part of an (embedding or one-hot) → LSTM/GRU/RNN → linear character model");
            }
        }

        /// <summary>
        /// The value of an int64 shape vector: a constant, or what torch computes for <c>y.reshape(-1, y.shape[-1])</c>
        /// (Concat of constants and Unsqueeze(Gather(Shape(y), k))); a dimension of <paramref name="data"/> other than
        /// its last (<paramref name="features"/>) is unknown (long.MinValue). Null when the value is anything else.
        /// </summary>
        private long[]? ShapeValue(string value, string data, int rank, int features, int depth)
        {
            if (depth > 16) return null;
            if (Constants.TryGetValue(value, out var t)) return t.Type is ElementType.Int64 or ElementType.Int32 ? t.AsInt64s() : null;
            if (!Producers.TryGetValue(value, out var node) || node.Inputs.Length == 0) return null;
            switch (node.OpType)
            {
                case "Shape" when node.Inputs[0] == data && node.Attributes.Length == 0:
                    return [.. Enumerable.Range(0, rank).Select(i => i == rank - 1 ? features : long.MinValue)];
                case "Gather" when Attribute(node, "axis", 0) == 0 && node.Inputs.Length == 2:
                    {
                        var source = ShapeValue(node.Inputs[0], data, rank, features, depth + 1);
                        var index = Constants.TryGetValue(node.Inputs[1], out var i) && i.ElementCount == 1 ? i.AsInt64s()[0] : (long?)null;
                        if (source is null || index is null) return null;
                        long at = index.Value < 0 ? index.Value + source.Length : index.Value;
                        return at >= 0 && at < source.Length ? [source[at]] : null;
                    }
                case "Unsqueeze" or "Squeeze" or "Cast" or "Identity":
                    return ShapeValue(node.Inputs[0], data, rank, features, depth + 1);
                case "Concat" when Attribute(node, "axis", 0) == 0:
                    {
                        var parts = node.Inputs.Select(p => ShapeValue(p, data, rank, features, depth + 1)).ToList();
                        return parts.Any(p => p is null) ? null : [.. parts.SelectMany(p => p!)];
                    }
                default:
                    return null;
            }
        }
    }
}
