using Microsoft.ML.Recurrent.Onnx;
namespace Microsoft.ML.Recurrent.Captioning;

/// <summary>The final AveragePool's new kernel and strides, and the output height and width they give.</summary>
internal readonly record struct FinalPooling(int KernelHeight, int KernelWidth, int StrideHeight, int StrideWidth, int OutputHeight, int OutputWidth);

/// <summary>A feature map inside the CNN (a tensor name and its channels) to pool instead of the last one.</summary>
internal readonly record struct EarlierMap(string Tensor, long Channels);

/// <summary>
/// Rewrites a CNN whose output is a global average pooling (an AveragePool whose kernel covers the whole H×W feature
/// map, as in ML.NET's ResNet18 featurizer: [1, 512, 1, 1]) to another average pooling of that map: <c>columns</c>
/// evenly spaced, overlapping vertical strips ([1, C, 1, columns]), or the map itself (the grid: a 1×1 kernel with
/// stride 1, [1, C, H, W]). Global pooling keeps what is in the image but not where, so a captioner cannot tell which
/// colour belongs to which of several objects; strips keep the left-to-right layout at the same cost, and the grid
/// keeps every region for spatial attention. Only the pooling node's kernel and strides and the graph output's shape
/// change; every other byte of the model (weights, other nodes, fields this reader does not know) is copied as it was.
/// </summary>
internal static class FinalPoolingRewrite
{
    // onnx.proto field numbers
    private const int ModelGraph = 7, GraphNode = 1, GraphInitializer = 5, GraphInput = 11, GraphOutput = 12, GraphValueInfo = 13, TensorName = 8;
    private const int NodeInput = 1, NodeOutput = 2, NodeOpType = 4, NodeAttribute = 5;
    private const int AttributeName = 1, AttributeString = 4, AttributeInts = 8, AttributeType = 20, AttributeTypeInts = 7;
    private const int ValueInfoName = 1, ValueInfoType = 2, TypeTensor = 1, TensorElementType = 1, TensorShape = 2, ShapeDim = 1, DimValue = 1;
    private const int FloatElement = 1;

    /// <summary>The strips' kernel width and stride on a map <paramref name="width"/> wide: the first strip starts at
    /// column 0 and the last ends at the last column.</summary>
    public static (int Kernel, int Stride) Strips(int width, int columns)
    {
        if (columns < 1 || columns > width)
            throw new ArgumentOutOfRangeException(nameof(columns), columns, $"The feature map is {width} wide: pool 1 to {width} columns.");
        int stride = columns == 1 ? 1 : Math.Max(1, (width - 1) / columns);
        return (width - (columns - 1) * stride, stride);
    }

    /// <summary>Pools <paramref name="columns"/> vertical strips of the map (see <see cref="Strips"/>).</summary>
    /// <exception cref="InvalidDataException">The model's output is not a global average pooling.</exception>
    public static byte[] Rewrite(ReadOnlySpan<byte> model, int columns) => Rewrite(model, (height, width) =>
    {
        var (kernel, stride) = Strips(width, columns);
        return new FinalPooling(height, kernel, 1, stride, 1, columns);
    });

    /// <summary>The stage whose map the global pooling reads: a ResNet's fourth.</summary>
    public const int LastStage = 4;

    /// <summary>
    /// The map after ResNet stage <paramref name="stage"/> (2 to <see cref="LastStage"/>), average-pooled into a
    /// <paramref name="gridSize"/> × <paramref name="gridSize"/> grid (the last stage's map at its own size: an identity
    /// pooling); an earlier stage's map is twice as wide per stage and has half the channels, and the stages after it are
    /// left out of the model.
    /// </summary>
    /// <exception cref="InvalidDataException">The model's output is not a global average pooling, or it does not have
    /// ResNet's three downsampling blocks with projection shortcuts.</exception>
    public static byte[] Grid(ReadOnlySpan<byte> model, int stage, int gridSize)
    {
        var graph = Field(model, ModelGraph, "the model") ?? throw new InvalidDataException("The data is not an ONNX model: it has no graph.");
        EarlierMap? earlier = null;
        if (stage < LastStage)
        {
            var (_, channels) = GraphOutputShape(graph);
            earlier = new EarlierMap(StageOutput(graph, stage), channels >> (LastStage - stage));
        }
        return Rewrite(model, (height, width) =>
        {
            int side = height << (LastStage - stage), kernel = side / gridSize;
            if (height != width || kernel * gridSize != side)
                throw new InvalidDataException($"Stage {stage}'s map is {width << (LastStage - stage)} × {side}: a {gridSize} × {gridSize} grid does not divide it.");
            return new FinalPooling(kernel, kernel, kernel, kernel, gridSize, gridSize);
        }, earlier);
    }

    // The map stage s (1 to 3) ends with: the s-th tensor that two Conv nodes read, as every stage after the first
    // begins with a downsampling block whose main path and projection shortcut both read its input.
    private static string StageOutput(ReadOnlySpan<byte> graph, int stage)
    {
        var convReads = new List<string>();
        foreach (var node in Fields(graph, GraphNode, "the graph"))
            if (Text(Field(node, NodeOpType, "a node") ?? []) == "Conv" && Fields(node, NodeInput, "a node") is { Count: > 0 } inputs)
                convReads.Add(Text(inputs[0]));
        var shared = convReads.GroupBy(t => t).Where(g => g.Count() == 2).Select(g => g.Key).ToList(); // in node order
        if (shared.Count != LastStage - 1)
            throw new InvalidDataException($"The CNN has {shared.Count} blocks with a projection shortcut; a ResNet has {LastStage - 1}.");
        return shared[stage - 1];
    }

    /// <summary>Replaces the final global pooling by the pooling that <paramref name="choose"/> gives for the map's
    /// height and width (the global kernel's).</summary>
    /// <exception cref="InvalidDataException">The model's output is not a global average pooling.</exception>
    public static byte[] Rewrite(ReadOnlySpan<byte> model, Func<int, int, FinalPooling> choose, EarlierMap? earlier = null)
    {
        var graph = Field(model, ModelGraph, "the model") ?? throw new InvalidDataException("The data is not an ONNX model: it has no graph.");
        var (output, channels) = GraphOutputShape(graph);
        var (height, width) = PoolingKernel(graph, output);
        var p = choose(height, width);
        HashSet<string>? needed = null;
        if (earlier is { } e)
        {
            channels = e.Channels;
            needed = Needed(graph, e.Tensor);
        }

        var w = new ProtoWriter();
        Copy(model, "the model", w, (field, _, writer) =>
        {
            if (field != ModelGraph) return false;
            writer.Message(ModelGraph, g => Copy(graph, "the graph", g, RewriteGraphField)); // the graph read above
            return true;
        });
        return w.ToArray();

        bool RewriteGraphField(int field, ReadOnlySpan<byte> value, ProtoWriter writer)
        {
            if (field == GraphNode && Produces(value, output))
            {
                var node = value.ToArray();
                writer.Message(GraphNode, n => RewriteNode(node, n, [p.KernelHeight, p.KernelWidth], [p.StrideHeight, p.StrideWidth], earlier?.Tensor));
                return true;
            }
            // The stages after the earlier map are left out, with their weights: nothing reads them any more.
            if (needed is not null)
            {
                if (field == GraphNode && !Fields(value, NodeOutput, "a node").Any(o => needed.Contains(Text(o)))) return true;
                if (field == GraphInitializer && !needed.Contains(Field(value, TensorName, "an initializer") is { } n ? Text(n) : "")) return true;
                if (field is GraphInput or GraphValueInfo && !needed.Contains(Name(value))) return true;
            }
            if (field == GraphOutput && Name(value) == output)
            {
                writer.Message(GraphOutput, v => WriteOutput(v, output, [1, channels, p.OutputHeight, p.OutputWidth]));
                return true;
            }
            return false;
        }
    }

    // The tensors the earlier map is computed from (itself included), walking the nodes back from it.
    private static HashSet<string> Needed(ReadOnlySpan<byte> graph, string tensor)
    {
        var needed = new HashSet<string> { tensor };
        var nodes = Fields(graph, GraphNode, "the graph");
        bool found = false;
        for (int i = nodes.Count - 1; i >= 0; i--)
        {
            if (!Fields(nodes[i], NodeOutput, "a node").Any(o => needed.Contains(Text(o)))) continue;
            found |= Produces(nodes[i], tensor);
            foreach (var input in Fields(nodes[i], NodeInput, "a node")) needed.Add(Text(input));
        }
        return found ? needed : throw new InvalidDataException($"No node of the CNN produces '{tensor}'.");
    }

    private delegate bool FieldRewriter(int field, ReadOnlySpan<byte> value, ProtoWriter writer);

    // Copies every field of a message as it was, except those the rewriter writes itself (it returns true for them).
    private static void Copy(ReadOnlySpan<byte> message, string what, ProtoWriter w, FieldRewriter rewrite)
    {
        var r = new ProtoReader(message, what);
        while (!r.End)
        {
            int start = r.Position;
            var (field, type) = r.ReadTag();
            var value = type == WireType.LengthDelimited ? r.ReadBytes(type) : default;
            if (type != WireType.LengthDelimited) r.Skip(type);
            if (type != WireType.LengthDelimited || !rewrite(field, value, w)) w.Raw(r.Slice(start, r.Position));
        }
    }

    private static void RewriteNode(ReadOnlySpan<byte> node, ProtoWriter w, long[] kernel, long[] strides, string? input)
    {
        if (input is not null) w.String(NodeInput, input);
        Copy(node, "the pooling node", w, (field, value, writer) =>
            (field == NodeInput && input is not null) || (field == NodeAttribute && Name(value) is "kernel_shape" or "strides"));
        WriteInts(w, "kernel_shape", kernel);
        WriteInts(w, "strides", strides);
    }

    private static void WriteInts(ProtoWriter w, string name, long[] values) => w.Message(NodeAttribute, a =>
    {
        a.String(AttributeName, name);
        foreach (long v in values) a.Int64(AttributeInts, v);
        a.Int64(AttributeType, AttributeTypeInts);
    });

    private static void WriteOutput(ProtoWriter w, string name, long[] dims)
    {
        w.String(ValueInfoName, name);
        w.Message(ValueInfoType, t => t.Message(TypeTensor, tensor =>
        {
            tensor.Int64(TensorElementType, FloatElement);
            tensor.Message(TensorShape, shape =>
            {
                foreach (long d in dims) shape.Message(ShapeDim, dim => dim.Int64(DimValue, d));
            });
        }));
    }

    // The graph's one output and its channel count, from its declared shape [1, C, 1, 1].
    private static (string Name, long Channels) GraphOutputShape(ReadOnlySpan<byte> graph)
    {
        var outputs = Fields(graph, GraphOutput, "the graph");
        if (outputs.Count != 1) throw new InvalidDataException($"The CNN has {outputs.Count} outputs; expected one pooled feature output.");
        var dims = new List<long>();
        var shape = Field(Field(Field(outputs[0], ValueInfoType, "the output") ?? [], TypeTensor, "the output type") ?? [], TensorShape, "the output tensor") ?? [];
        foreach (var dim in Fields(shape, ShapeDim, "the output shape")) dims.Add(Int(dim, DimValue, "a dimension"));
        if (dims.Count != 4 || dims[0] > 1 || dims[2] != 1 || dims[3] != 1)
            throw new InvalidDataException($"The CNN's output has shape [{string.Join(", ", dims)}]; expected a globally pooled [1, C, 1, 1].");
        return (Name(outputs[0]), dims[1]);
    }

    // The kernel [H, W] of the AveragePool that produces the output.
    private static (int Height, int Width) PoolingKernel(ReadOnlySpan<byte> graph, string output)
    {
        foreach (var node in Fields(graph, GraphNode, "the graph"))
        {
            if (!Produces(node, output)) continue;
            string op = Text(Field(node, NodeOpType, "a node") ?? []);
            if (op != "AveragePool") throw new InvalidDataException($"The CNN's output comes from {op}, not from a global AveragePool.");
            // The new kernels read the map as it is: padding (pads, auto_pad SAME_*) would shift or widen it.
            // ceil_mode and count_include_pad change nothing without padding when the kernels fit the map.
            (int, int)? found = null;
            foreach (var attribute in Fields(node, NodeAttribute, "the pooling node"))
            {
                string name = Name(attribute);
                if (name == "pads" && Ints(attribute, "the pads").Any(p => p != 0))
                    throw new InvalidDataException("The CNN's output pooling pads the feature map.");
                if (name == "auto_pad" && Text(Field(attribute, AttributeString, "auto_pad") ?? []) is not ("" or "NOTSET" or "VALID"))
                    throw new InvalidDataException("The CNN's output pooling pads the feature map (auto_pad).");
                if (name != "kernel_shape") continue;
                var kernel = Ints(attribute, "the kernel shape");
                if (kernel.Count == 2 && kernel[0] is > 0 and < 1024 && kernel[1] is > 0 and < 1024) found = ((int)kernel[0], (int)kernel[1]);
            }
            return found ?? throw new InvalidDataException("The CNN's output pooling has no 2-D kernel_shape.");
        }
        throw new InvalidDataException($"No node produces the CNN's output '{output}'.");
    }

    private static List<long> Ints(ReadOnlySpan<byte> attribute, string what)
    {
        var values = new List<long>();
        var r = new ProtoReader(attribute, what);
        while (!r.End)
        {
            var (field, type) = r.ReadTag();
            if (field == AttributeInts) r.ReadInt64s(type, values, 8);
            else r.Skip(type);
        }
        return values;
    }

    private static bool Produces(ReadOnlySpan<byte> node, string output)
    {
        foreach (var o in Fields(node, NodeOutput, "a node"))
            if (Text(o) == output) return true;
        return false;
    }

    // The name (field 1) of a value info or attribute.
    private static string Name(ReadOnlySpan<byte> message)
        => Field(message, ValueInfoName, "a named message") is { } name ? Text(name) : "";

    private static string Text(ReadOnlySpan<byte> utf8) => System.Text.Encoding.UTF8.GetString(utf8);

    private static long Int(ReadOnlySpan<byte> message, int field, string what)
    {
        var r = new ProtoReader(message, what);
        long value = 0;
        while (!r.End)
        {
            var (f, type) = r.ReadTag();
            if (f == field) value = r.ReadInt64(type);
            else r.Skip(type);
        }
        return value;
    }

    // The last occurrence of a length-delimited field, or null.
    private static byte[]? Field(ReadOnlySpan<byte> message, int field, string what)
        => Fields(message, field, what) is { Count: > 0 } all ? all[^1] : null;

    private static List<byte[]> Fields(ReadOnlySpan<byte> message, int field, string what)
    {
        var r = new ProtoReader(message, what);
        var found = new List<byte[]>();
        while (!r.End)
        {
            var (f, type) = r.ReadTag();
            if (f == field && type == WireType.LengthDelimited) found.Add(r.ReadBytes(type).ToArray());
            else r.Skip(type);
        }
        return found;
    }
}
