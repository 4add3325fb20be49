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
        foreach (float v in network.Parameters.Values)
            if (!float.IsFinite(v)) throw new InvalidDataException($"The ONNX model in {source} holds non-finite weights.");
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

    /// <summary>One recurrent node's weights, in ONNX layout (one direction).</summary>
    private sealed record Layer(RecurrentCell Cell, int Hidden, int Inputs, float[] W, float[] R, float[] B, string Node);

    private sealed class Graph
    {
        private readonly string _source;
        private readonly long _opset;
        private readonly Dictionary<string, TensorProto> _constants = [];
        private readonly Dictionary<string, NodeProto> _producers = [];
        private readonly string _input;
        private readonly string _output;

        public Graph(ModelProto model, string source)
        {
            _source = source;
            _opset = model.Opset;
            var g = model.Graph;
            foreach (var t in g.Initializers) _constants[t.Name] = t;
            foreach (var node in g.Nodes)
            {
                if (node.Domain is not ("" or "ai.onnx")) throw Refuse(node, $"is in the operator domain '{node.Domain}'");
                foreach (string o in node.Outputs.Where(o => o.Length > 0)) _producers[o] = node;
                if (node.OpType == "Constant")
                {
                    var value = node.Attributes.FirstOrDefault(a => a.Name == "value" && a.Kind == AttributeKind.Tensor)?.Tensor;
                    if (value != null && node.Outputs.Length == 1) _constants[node.Outputs[0]] = value;
                }
            }
            var inputs = g.Inputs.Where(i => !_constants.ContainsKey(i.Name)).ToList();
            if (inputs.Count != 1)
                throw Invalid($"has {inputs.Count} inputs ({string.Join(", ", inputs.Select(i => i.Name))}); a character model has one: the token ids");
            if (inputs[0].Type != ElementType.Int64 || inputs[0].Shape.Length != 2)
                throw Invalid($"has the input '{inputs[0].Name}' of {inputs[0].Type} [{string.Join(", ", inputs[0].Shape)}]; " +
                    "a character model's input is int64 token ids [sequence, batch] or [batch, sequence] (batch_first)");
            _input = inputs[0].Name;
            if (g.Outputs.Count != 1)
                throw Invalid($"has {g.Outputs.Count} outputs ({string.Join(", ", g.Outputs.Select(o => o.Name))}); export only the logits (or probabilities), not the recurrent state");
            _output = g.Outputs[0].Name;
        }

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
            int embeddingWidth = 0;
            var layers = new List<Layer>();
            float[]? outputWeight = null, outputBias = null;
            string current = _input;
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
                            if (node.Inputs.Length != 2 || node.Inputs[1] != current) throw Refuse(node, "does not look up the token ids in a table");
                            var table = Constant(node, 0, "embedding table");
                            if (table.Type != ElementType.Float || table.Dims.Length != 2) throw Refuse(node, $"looks up rows of a {table.Type} [{string.Join(", ", table.Dims)}] tensor, not a float [V, e] embedding");
                            if (Attribute(node, "axis", 0) != 0) throw Refuse(node, "gathers along an axis other than 0");
                            vocabulary = checked((int)table.Dims[0]);
                            embeddingWidth = features = checked((int)table.Dims[1]);
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
                            var layer = Recurrent(node, features);
                            if (layers.Count > 0 && (layer.Cell != layers[0].Cell || layer.Hidden != layers[0].Hidden))
                                throw Refuse(node, $"is a {layer.Cell} of {layer.Hidden} units after a {layers[0].Cell} of {layers[0].Hidden}; every layer must have the same cell and size");
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
                            if (Attribute(node, "transA", 0) != 0 || FloatAttribute(node, "alpha", 1f) != 1f || FloatAttribute(node, "beta", 1f) != 1f)
                                throw Refuse(node, "has transA, alpha or beta other than a plain x·W + b");
                            var w = Constant(node, 1, "weight");
                            bool transB = Attribute(node, "transB", 0) != 0;
                            if (w.Type != ElementType.Float || w.Dims.Length != 2 || w.Dims[transB ? 1 : 0] != features)
                                throw Refuse(node, $"multiplies by a {w.Type} [{string.Join(", ", w.Dims)}] tensor, not {features} features");
                            int v = (int)w.Dims[transB ? 0 : 1];
                            outputWeight = transB ? Transpose(w.AsFloats(), v, features) : w.AsFloats().ToArray();
                            outputBias = node.Inputs.Length > 2 && node.Inputs[2].Length > 0 ? Bias(node, node.Inputs[2], v) : new float[v];
                            projected = true;
                            break;
                        }
                    case "Softmax" or "LogSoftmax" when projected && n == path.Count - 1:
                        {
                            long axis = Attribute(node, "axis", _opset >= 13 ? -1 : 1);
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
                throw new ArgumentException($"The vocabulary has {vocabularySize} characters, but the ONNX model in {_source} has {vocabulary} tokens.", "vocabulary");
            return Build(layers, vocabulary, oneHot ? null : embedding, embeddingWidth, outputWeight!, outputBias);
        }

        private static LanguageNetwork Build(List<Layer> layers, int vocabulary, float[]? embedding, int embeddingWidth, float[] outputWeight, float[] outputBias)
        {
            var cell = layers[0].Cell;
            int hidden = layers[0].Hidden;
            var shape = new LanguageModelShape(cell, vocabulary, hidden, layers.Count, 0f);
            if (shape.Layers > LanguageModelShape.MaxLayers || hidden > LanguageModelShape.MaxWidth || vocabulary > LanguageModelShape.MaxWidth)
                throw new InvalidDataException($"The ONNX model ({layers.Count} layers of {hidden}, {vocabulary} tokens) is larger than this library builds.");
            var network = new LanguageNetwork(shape);
            for (int l = 0; l < layers.Count; l++)
            {
                var layer = layers[l];
                var rec = network.Recurrences[l];
                int g = rec.GateWidth;
                var (inW, inB) = l == 0
                    ? (network.Input.Weight, network.Input.Bias)
                    : (network.Stack.ProjectionAt(l, 0)!.Weight, network.Stack.ProjectionAt(l, 0)!.Bias);
                if (l == 0 && embedding != null)
                {
                    // one row per token: E [V, e] · W₀ᵀ, with W₀ᵀ in our layout [e, G·H]
                    var w = new float[embeddingWidth * g];
                    StackWeights.Untransposed(layer.W, w, embeddingWidth, g, cell);
                    Gemm.MatMul(embedding, w, inW.Value, vocabulary, embeddingWidth, g, accumulate: false);
                }
                else
                {
                    StackWeights.Untransposed(layer.W, inW, cell);
                }
                StackWeights.Untransposed(layer.R, rec.RecurrentWeight, cell);
                var bias = layer.B.AsSpan();
                if (rec.RecurrentBias is { } bh)
                {
                    StackWeights.Restore(bias[..g], inB.Value, cell, hidden);
                    StackWeights.Restore(bias[g..], bh.Value, cell, hidden);
                }
                else
                {
                    // x·W + Wb + h·R + Rb: one bias of Wb + Rb
                    var sum = new float[g];
                    System.Numerics.Tensors.TensorPrimitives.Add(bias[..g], bias[g..], sum);
                    StackWeights.Restore(sum, inB.Value, cell, hidden);
                }
            }
            outputWeight.CopyTo(network.Output.Weight.Value);
            outputBias.CopyTo(network.Output.Bias.Value);
            return network;
        }

        private Layer Recurrent(NodeProto node, int inputs)
        {
            var cell = node.OpType switch { "LSTM" => RecurrentCell.Lstm, "GRU" => RecurrentCell.Gru, _ => RecurrentCell.Rnn };
            int gates = cell switch { RecurrentCell.Lstm => 4, RecurrentCell.Gru => 3, _ => 1 };
            string direction = node.Attributes.FirstOrDefault(a => a.Name == "direction")?.Text ?? "forward";
            if (direction != "forward")
                throw Refuse(node, $"is {direction} (direction = {direction}); only forward (unidirectional) recurrences can be imported: a bidirectional model reads text it has not generated yet");
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
                throw Refuse(node, "has linear_before_reset = 0 (the reset gate applied before the recurrent matrix product); our GRU is PyTorch's form, linear_before_reset = 1, and would compute different distributions");
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
            if (node.Outputs.Length > 1 && node.Outputs.Skip(1).Any(o => o.Length > 0 && IsUsed(o)))
                throw Refuse(node, "passes its final state (Y_h / Y_c) on; a character model uses every step's output Y");
            return new Layer(cell, h, inputs, w.AsFloats().ToArray(), r.AsFloats().ToArray(), b, node.Name);
        }

        private static bool DefaultActivations(RecurrentCell cell, string[] activations)
            => cell == RecurrentCell.Lstm ? activations is ["Sigmoid", "Tanh", "Tanh"] : activations is ["Sigmoid", "Tanh"];

        private bool IsUsed(string value) => value == _output || _producers.Values.Distinct().Any(n => n.Inputs.Contains(value));

        // The nodes from the input to the output, in order; each reads the one before it.
        private List<NodeProto> MainPath()
        {
            var path = new List<NodeProto>();
            string value = _output;
            while (value != _input)
            {
                if (!_producers.TryGetValue(value, out var node))
                    throw Invalid(_constants.ContainsKey(value) ? $"computes '{value}' from constants alone" : $"has the value '{value}' that no node produces");
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
                    if (node.Inputs.Length == 2 && _constants.ContainsKey(node.Inputs[0])) return node.Inputs[1];
                    throw Refuse(node, "is not an embedding lookup (a constant table gathered by the token ids)");
                case "MatMul" or "Add":
                    var variable = node.Inputs.Where(i => !_constants.ContainsKey(i)).ToList();
                    if (variable.Count == 1) return variable[0];
                    throw Refuse(node, "does not combine one computed value with a constant weight or bias");
                case "OneHot" or "Cast" or "Identity" or "Transpose" or "Squeeze" or "Reshape" or "Gemm" or "Softmax" or "LogSoftmax":
                    if (node.Inputs.Length == 0 || _constants.ContainsKey(node.Inputs[0])) throw Refuse(node, "does not read the model's data path");
                    return node.Inputs[0];
                default:
                    throw Refuse(node, "is not part of an (embedding or one-hot) → LSTM/GRU/RNN → linear character model");
            }
        }

        // A value that is all zeros: a zero constant, ConstantOfShape(0), or a slice/reshape/cast of one (how torch makes h0 and c0).
        private bool IsZeros(string value, int depth)
        {
            if (depth > 16) return false;
            if (_constants.TryGetValue(value, out var t)) return t.Type == ElementType.Float && !t.AsFloats().ContainsAnyExcept(0f);
            if (!_producers.TryGetValue(value, out var node)) return false;
            return node.OpType switch
            {
                "ConstantOfShape" => node.Attributes.FirstOrDefault(a => a.Name == "value")?.Tensor is not { } v
                    || v.AsInt64sOrFloats().All(x => x == 0),
                "Slice" or "Reshape" or "Squeeze" or "Unsqueeze" or "Expand" or "Cast" or "Identity" or "Transpose" or "Gather" => IsZeros(node.Inputs[0], depth + 1),
                _ => false,
            };
        }

        /// <summary>
        /// The value of an int64 shape vector: a constant, or what torch computes for <c>y.reshape(-1, y.shape[-1])</c>
        /// (Concat of constants and Unsqueeze(Gather(Shape(y), k))); a dimension of <paramref name="data"/> other than
        /// its last (<paramref name="features"/>) is unknown (long.MinValue). Null when the value is anything else.
        /// </summary>
        private long[]? ShapeValue(string value, string data, int rank, int features, int depth)
        {
            if (depth > 16) return null;
            if (_constants.TryGetValue(value, out var t)) return t.Type is ElementType.Int64 or ElementType.Int32 ? t.AsInt64s() : null;
            if (!_producers.TryGetValue(value, out var node) || node.Inputs.Length == 0) return null;
            switch (node.OpType)
            {
                case "Shape" when node.Inputs[0] == data && node.Attributes.Length == 0:
                    return [.. Enumerable.Range(0, rank).Select(i => i == rank - 1 ? features : long.MinValue)];
                case "Gather" when Attribute(node, "axis", 0) == 0 && node.Inputs.Length == 2:
                    {
                        var source = ShapeValue(node.Inputs[0], data, rank, features, depth + 1);
                        var index = _constants.TryGetValue(node.Inputs[1], out var i) && i.ElementCount == 1 ? i.AsInt64s()[0] : (long?)null;
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

        private float[] Bias(NodeProto node, string name, int size)
        {
            if (!_constants.TryGetValue(name, out var t)) throw Refuse(node, $"adds '{name}', which is not a constant bias");
            if (t.Type != ElementType.Float || t.ElementCount != size || (t.Dims.Length > 0 && t.Dims[^1] != size))
                throw Refuse(node, $"adds a {t.Type} [{string.Join(", ", t.Dims)}] tensor, not a float bias of {size}");
            return t.AsFloats().ToArray();
        }

        private static float[] Transpose(ReadOnlySpan<float> src, int rows, int cols)
        {
            var dst = new float[rows * cols];
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++) dst[c * rows + r] = src[r * cols + c];
            return dst;
        }

        private static bool Present(NodeProto node, int input) => node.Inputs.Length > input && node.Inputs[input].Length > 0;

        private TensorProto Constant(NodeProto node, int input, string what)
        {
            if (!Present(node, input)) throw Refuse(node, $"has no {what}");
            string name = node.Inputs[input];
            if (_constants.TryGetValue(name, out var t)) return t;
            string producer = _producers.TryGetValue(name, out var p) ? $" (computed by the {p.OpType} node '{p.Name}')" : "";
            throw Refuse(node, $"reads its {what} from '{name}'{producer}, which is not a constant initializer");
        }

        private long Scalar(NodeProto node, int input, string what)
        {
            var values = Constant(node, input, what).AsInt64sOrFloats();
            return values.Length == 1 ? values[0] : throw Refuse(node, $"has a {what} that is not one number");
        }

        private static long Attribute(NodeProto node, string name, long fallback)
            => node.Attributes.FirstOrDefault(a => a.Name == name) is { } a ? a.Int : fallback;

        private static float FloatAttribute(NodeProto node, string name, float fallback)
            => node.Attributes.FirstOrDefault(a => a.Name == name) is { } a ? a.Float : fallback;

        private InvalidDataException Refuse(NodeProto node, string what)
            => new($"The ONNX model in {_source} cannot be imported as a character language model: its {node.OpType} node '{node.Name}' {what}.");

        private InvalidDataException Invalid(string what)
            => new($"The ONNX model in {_source} cannot be imported as a character language model: it {what}.");
    }

    /// <summary>An integer or float tensor's elements as integers (a OneHot's depth and values come in either type).</summary>
    private static long[] AsInt64sOrFloats(this TensorProto t)
        => t.Type == ElementType.Float ? [.. t.AsFloats().ToArray().Select(f => f == MathF.Round(f) ? (long)f : long.MinValue)] : t.AsInt64s();
}
