namespace Microsoft.ML.Recurrent.Onnx;

/// <summary>
/// Writes and reads <see cref="ModelProto"/> as ONNX protobuf (field numbers from onnx.proto). The reader
/// understands what the writer emits and skips any other field, as protobuf readers do; sizes it meets are
/// checked against the bytes present (see <see cref="ProtoReader"/>), and subgraph nesting is bounded.
/// </summary>
internal static class OnnxFormat
{
    /// <summary>Our graphs nest one level (the decode Loop's body); deeper nesting means a corrupt or foreign file.</summary>
    private const int MaxGraphDepth = 4;
    /// <summary>Our tensors have at most 3 dimensions; more than 8 means a corrupt or foreign file.</summary>
    private const int MaxRank = 8;
    /// <summary>An attribute list longer than the largest class count (2^20) means a corrupt or foreign file.</summary>
    private const int MaxListLength = 1 << 20;

    public static byte[] Write(ModelProto model)
    {
        var w = new ProtoWriter();
        w.Int64(1, model.IrVersion);
        w.String(2, model.ProducerName);
        w.String(3, model.ProducerVersion);
        if (model.DocString.Length > 0) w.String(6, model.DocString);
        w.Message(7, g => WriteGraph(g, model.Graph));
        w.Message(8, o => o.Int64(2, model.Opset)); // the default domain: no domain string
        if (model.MlOpset > 0)
        {
            w.Message(8, o =>
            {
                o.String(1, ModelProto.MlDomain);
                o.Int64(2, model.MlOpset);
            });
        }
        foreach (var (key, value) in model.Metadata)
        {
            w.Message(14, e =>
            {
                e.String(1, key);
                e.String(2, value);
            });
        }
        return w.ToArray();
    }

    /// <exception cref="InvalidDataException">The bytes are not an ONNX model this reader understands.</exception>
    public static ModelProto Read(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty) throw new InvalidDataException("The ONNX data is empty.");
        var r = new ProtoReader(data, "the model");
        long ir = 0, opset = 0, mlOpset = 0;
        string producer = "", version = "", doc = "";
        GraphProto? graph = null;
        var metadata = new List<KeyValuePair<string, string>>();
        while (!r.End)
        {
            var (field, type) = r.ReadTag();
            switch (field)
            {
                case 1: ir = r.ReadInt64(type); break;
                case 2: producer = r.ReadString(type); break;
                case 3: version = r.ReadString(type); break;
                case 6: doc = r.ReadString(type); break;
                case 7: graph = ReadGraph(r.ReadBytes(type), depth: 0); break;
                case 8:
                    var (domain, imported) = ReadOpset(r.ReadBytes(type));
                    if (domain is "" or "ai.onnx") opset = Math.Max(opset, imported);
                    else if (domain == ModelProto.MlDomain) mlOpset = Math.Max(mlOpset, imported);
                    break;
                case 14: metadata.Add(ReadEntry(r.ReadBytes(type))); break;
                default: r.Skip(type); break;
            }
        }
        if (graph is null) throw new InvalidDataException("The data is not an ONNX model: it has no graph.");
        var model = new ModelProto(graph) { IrVersion = ir, Opset = opset, MlOpset = mlOpset, ProducerName = producer, ProducerVersion = version, DocString = doc };
        model.Metadata.AddRange(metadata);
        return model;
    }

    /// <summary>Only the metadata entries (to pick our graph among others without parsing theirs).</summary>
    /// <exception cref="InvalidDataException">The bytes are not protobuf.</exception>
    public static List<KeyValuePair<string, string>> ReadMetadata(ReadOnlySpan<byte> data)
    {
        var r = new ProtoReader(data, "the model");
        var metadata = new List<KeyValuePair<string, string>>();
        while (!r.End)
        {
            var (field, type) = r.ReadTag();
            if (field == 14) metadata.Add(ReadEntry(r.ReadBytes(type)));
            else r.Skip(type);
        }
        return metadata;
    }

    private static void WriteGraph(ProtoWriter w, GraphProto graph)
    {
        foreach (var node in graph.Nodes) w.Message(1, n => WriteNode(n, node));
        w.String(2, graph.Name);
        foreach (var tensor in graph.Initializers) w.Message(5, t => WriteTensor(t, tensor));
        if (graph.DocString.Length > 0) w.String(10, graph.DocString);
        foreach (var input in graph.Inputs) w.Message(11, v => WriteValueInfo(v, input));
        foreach (var output in graph.Outputs) w.Message(12, v => WriteValueInfo(v, output));
    }

    private static GraphProto ReadGraph(ReadOnlySpan<byte> data, int depth)
    {
        if (depth > MaxGraphDepth) throw new InvalidDataException($"The ONNX data nests graphs more than {MaxGraphDepth} deep.");
        var r = new ProtoReader(data, "a graph");
        var nodes = new List<NodeProto>();
        var initializers = new List<TensorProto>();
        var inputs = new List<ValueInfoProto>();
        var outputs = new List<ValueInfoProto>();
        string name = "", doc = "";
        while (!r.End)
        {
            var (field, type) = r.ReadTag();
            switch (field)
            {
                case 1: nodes.Add(ReadNode(r.ReadBytes(type), depth)); break;
                case 2: name = r.ReadString(type); break;
                case 5: initializers.Add(ReadTensor(r.ReadBytes(type))); break;
                case 10: doc = r.ReadString(type); break;
                case 11: inputs.Add(ReadValueInfo(r.ReadBytes(type))); break;
                case 12: outputs.Add(ReadValueInfo(r.ReadBytes(type))); break;
                default: r.Skip(type); break;
            }
        }
        var graph = new GraphProto(name) { DocString = doc };
        graph.Nodes.AddRange(nodes);
        graph.Initializers.AddRange(initializers);
        graph.Inputs.AddRange(inputs);
        graph.Outputs.AddRange(outputs);
        return graph;
    }

    private static void WriteNode(ProtoWriter w, NodeProto node)
    {
        foreach (var input in node.Inputs) w.String(1, input);
        foreach (var output in node.Outputs) w.String(2, output);
        w.String(3, node.Name);
        w.String(4, node.OpType);
        foreach (var attribute in node.Attributes) w.Message(5, a => WriteAttribute(a, attribute));
        if (node.Domain.Length > 0) w.String(7, node.Domain);
    }

    private static NodeProto ReadNode(ReadOnlySpan<byte> data, int depth)
    {
        var r = new ProtoReader(data, "a node");
        var inputs = new List<string>();
        var outputs = new List<string>();
        var attributes = new List<AttributeProto>();
        string name = "", op = "", domain = "";
        while (!r.End)
        {
            var (field, type) = r.ReadTag();
            switch (field)
            {
                case 1: inputs.Add(r.ReadString(type)); break;
                case 2: outputs.Add(r.ReadString(type)); break;
                case 3: name = r.ReadString(type); break;
                case 4: op = r.ReadString(type); break;
                case 5: attributes.Add(ReadAttribute(r.ReadBytes(type), depth)); break;
                case 7: domain = r.ReadString(type); break;
                default: r.Skip(type); break;
            }
        }
        return new NodeProto(op, name, [.. inputs], [.. outputs], [.. attributes], domain);
    }

    private static void WriteAttribute(ProtoWriter w, AttributeProto a)
    {
        w.String(1, a.Name);
        switch (a.Kind)
        {
            case AttributeKind.Float: w.Float(2, a.Float); break;
            case AttributeKind.Int: w.Int64(3, a.Int); break;
            case AttributeKind.Tensor: w.Message(5, t => WriteTensor(t, a.Tensor!)); break;
            case AttributeKind.String: w.String(4, a.Text!); break;
            case AttributeKind.Graph: w.Message(6, g => WriteGraph(g, a.Graph!)); break;
            case AttributeKind.Ints: w.PackedInt64(8, a.Ints); break;
            case AttributeKind.Strings:
                foreach (string text in a.Strings) w.String(9, text);
                break;
            default: throw new ArgumentOutOfRangeException(nameof(a), a.Kind, "Unsupported attribute kind.");
        }
        w.Int64(20, (long)a.Kind);
    }

    // Other attribute kinds (lists of floats or tensors) are skipped: our graphs have none, nor do the PyTorch graphs we import.
    private static AttributeProto ReadAttribute(ReadOnlySpan<byte> data, int depth)
    {
        var r = new ProtoReader(data, "a node attribute");
        string name = "";
        long kind = 0, i = 0;
        float f = 0;
        TensorProto? tensor = null;
        string? text = null;
        GraphProto? graph = null;
        var ints = new List<long>();
        var strings = new List<string>();
        while (!r.End)
        {
            var (field, type) = r.ReadTag();
            switch (field)
            {
                case 1: name = r.ReadString(type); break;
                case 2: f = r.ReadFloat(type); break;
                case 3: i = r.ReadInt64(type); break;
                case 4: text = r.ReadString(type); break;
                case 5: tensor = ReadTensor(r.ReadBytes(type)); break;
                case 6: graph = ReadGraph(r.ReadBytes(type), depth + 1); break;
                case 8: r.ReadInt64s(type, ints, MaxListLength); break;
                case 9: strings.Add(r.ReadString(type)); break;
                case 20: kind = r.ReadInt64(type); break;
                default: r.Skip(type); break;
            }
        }
        return new AttributeProto(name, (AttributeKind)kind) { Int = i, Float = f, Tensor = tensor, Text = text, Graph = graph, Ints = [.. ints], Strings = [.. strings] };
    }

    private static void WriteTensor(ProtoWriter w, TensorProto t)
    {
        if (t.Dims.Length > 0) w.PackedInt64(1, t.Dims);
        w.Int64(2, (long)t.Type);
        foreach (string s in t.Strings) w.String(6, s);
        w.String(8, t.Name);
        if (t.Type != ElementType.String) w.Bytes(9, t.Raw);
    }

    private static TensorProto ReadTensor(ReadOnlySpan<byte> data)
    {
        var r = new ProtoReader(data, "a tensor");
        var dims = new List<long>();
        var strings = new List<string>();
        long type = 0;
        string name = "";
        byte[] raw = [];
        var floats = new List<float>();
        var longs = new List<long>();
        while (!r.End)
        {
            var (field, wire) = r.ReadTag();
            switch (field)
            {
                case 1: r.ReadInt64s(wire, dims, MaxRank); break;
                case 2: type = r.ReadInt64(wire); break;
                // float_data and int64_data (other exporters' small constants): kept as raw_data, as we write tensors
                case 4: r.ReadFloats(wire, floats, MaxListLength); break;
                case 7: r.ReadInt64s(wire, longs, MaxListLength); break;
                case 6: strings.Add(r.ReadString(wire)); break;
                case 8: name = r.ReadString(wire); break;
                case 9: raw = r.ReadBytes(wire).ToArray(); break; // bounded by the file: the dims are checked below before use
                default: r.Skip(wire); break;
            }
        }
        if (raw.Length == 0 && floats.Count > 0) raw = System.Runtime.InteropServices.MemoryMarshal.AsBytes(floats.ToArray().AsSpan()).ToArray();
        if (raw.Length == 0 && longs.Count > 0) raw = System.Runtime.InteropServices.MemoryMarshal.AsBytes(longs.ToArray().AsSpan()).ToArray();
        return TensorProto.FromFile(name, (ElementType)type, [.. dims], raw, [.. strings]);
    }

    private static void WriteValueInfo(ProtoWriter w, ValueInfoProto v)
    {
        w.String(1, v.Name);
        w.Message(2, type => type.Message(1, tensor =>
        {
            tensor.Int64(1, (long)v.Type);
            tensor.Message(2, shape =>
            {
                foreach (var dim in v.Shape)
                {
                    shape.Message(1, d =>
                    {
                        if (dim.Param is null) d.Int64(1, dim.Value);
                        else d.String(2, dim.Param);
                    });
                }
            });
        }));
    }

    private static ValueInfoProto ReadValueInfo(ReadOnlySpan<byte> data)
    {
        var r = new ProtoReader(data, "a graph input or output");
        string name = "";
        ElementType type = 0;
        var shape = new List<Dim>();
        while (!r.End)
        {
            var (field, wire) = r.ReadTag();
            if (field == 1) name = r.ReadString(wire);
            else if (field == 2) ReadTensorType(r.ReadBytes(wire), ref type, shape);
            else r.Skip(wire);
        }
        return new ValueInfoProto(name, type, [.. shape]);
    }

    // TypeProto { tensor_type (1): { elem_type (1), shape (2): { dim (1): { dim_value (1) | dim_param (2) } } } }
    private static void ReadTensorType(ReadOnlySpan<byte> typeProto, ref ElementType type, List<Dim> shape)
    {
        var r = new ProtoReader(typeProto, "a type");
        while (!r.End)
        {
            var (field, wire) = r.ReadTag();
            if (field != 1)
            {
                r.Skip(wire);
                continue;
            }
            var tensor = new ProtoReader(r.ReadBytes(wire), "a tensor type");
            while (!tensor.End)
            {
                var (tf, tw) = tensor.ReadTag();
                if (tf == 1) type = (ElementType)tensor.ReadInt64(tw);
                else if (tf == 2) ReadShape(tensor.ReadBytes(tw), shape);
                else tensor.Skip(tw);
            }
        }
    }

    private static void ReadShape(ReadOnlySpan<byte> data, List<Dim> shape)
    {
        var r = new ProtoReader(data, "a shape");
        while (!r.End)
        {
            var (field, wire) = r.ReadTag();
            if (field != 1)
            {
                r.Skip(wire);
                continue;
            }
            if (shape.Count == MaxRank) throw new InvalidDataException($"An ONNX shape has more than {MaxRank} dimensions.");
            var d = new ProtoReader(r.ReadBytes(wire), "a dimension");
            Dim dim = default;
            while (!d.End)
            {
                var (df, dw) = d.ReadTag();
                if (df == 1) dim = new Dim(d.ReadInt64(dw));
                else if (df == 2) dim = new Dim(0, d.ReadString(dw));
                else d.Skip(dw);
            }
            shape.Add(dim);
        }
    }

    private static (string Domain, long Version) ReadOpset(ReadOnlySpan<byte> data)
    {
        var r = new ProtoReader(data, "an opset import");
        string domain = "";
        long version = 0;
        while (!r.End)
        {
            var (field, wire) = r.ReadTag();
            if (field == 1) domain = r.ReadString(wire);
            else if (field == 2) version = r.ReadInt64(wire);
            else r.Skip(wire);
        }
        return (domain, version);
    }

    private static KeyValuePair<string, string> ReadEntry(ReadOnlySpan<byte> data)
    {
        var r = new ProtoReader(data, "a metadata entry");
        string key = "", value = "";
        while (!r.End)
        {
            var (field, wire) = r.ReadTag();
            if (field == 1) key = r.ReadString(wire);
            else if (field == 2) value = r.ReadString(wire);
            else r.Skip(wire);
        }
        return new(key, value);
    }
}
