using System.Runtime.InteropServices;

namespace Microsoft.ML.Recurrent.Onnx;

/// <summary>ONNX tensor element types (TensorProto.DataType) that our graphs use.</summary>
internal enum ElementType
{
    Float = 1,
    UInt16 = 4,
    Int32 = 6,
    Int64 = 7,
    String = 8,
    Bool = 9,
    UInt32 = 12,
    Double = 11,
}

/// <summary>
/// An ONNX model in memory: the subset of ModelProto that our graphs use. Written and read by
/// <see cref="OnnxFormat"/>.
/// </summary>
internal sealed class ModelProto(GraphProto graph)
{
    /// <summary>IR version 8 and opset 17: the newest that both ONNX Runtime 1.31 and the onnx 1.12 checker accept.</summary>
    public const long DefaultIrVersion = 8, DefaultOpset = 17;

    /// <summary>The ai.onnx.ml domain (LabelEncoder, which carries ML.NET's slot names) and the opset our graphs import.</summary>
    public const string MlDomain = "ai.onnx.ml";
    public const long DefaultMlOpset = 3;

    public long IrVersion { get; init; } = DefaultIrVersion;
    public long Opset { get; init; } = DefaultOpset;
    /// <summary>The <see cref="MlDomain"/> opset, or 0 when the graph uses none of its operators.</summary>
    public long MlOpset { get; init; }
    public string ProducerName { get; init; } = "";
    public string ProducerVersion { get; init; } = "";
    public string DocString { get; init; } = "";
    public GraphProto Graph { get; } = graph;
    public List<KeyValuePair<string, string>> Metadata { get; } = [];
}

/// <summary>A graph: nodes in topological order, weights as initializers, typed inputs and outputs.</summary>
internal sealed class GraphProto(string name)
{
    public string Name { get; } = name;
    public string DocString { get; set; } = "";
    public List<NodeProto> Nodes { get; } = [];
    public List<TensorProto> Initializers { get; } = [];
    public List<ValueInfoProto> Inputs { get; } = [];
    public List<ValueInfoProto> Outputs { get; } = [];
}

/// <summary>One operator application; <see cref="Domain"/> is empty for the default (ai.onnx) operators.</summary>
internal sealed record NodeProto(string OpType, string Name, string[] Inputs, string[] Outputs, AttributeProto[] Attributes, string Domain = "");

/// <summary>
/// A node attribute: an integer, a string (a recurrent node's direction), a graph (a Loop body), or a list of integers
/// or of strings (a LabelEncoder's table), the kinds our graphs use; a float or a tensor (a Constant's value) in graphs
/// written by other exporters (read, for <see cref="Microsoft.ML.Recurrent.LanguageModel.PyTorchImport"/>).
/// <see cref="Kind"/> says which member is set.
/// </summary>
internal sealed record AttributeProto(string Name, AttributeKind Kind)
{
    public long Int { get; init; }
    public float Float { get; init; }
    public TensorProto? Tensor { get; init; }
    public string? Text { get; init; }
    public GraphProto? Graph { get; init; }
    public long[] Ints { get; init; } = [];
    public string[] Strings { get; init; } = [];

    public static AttributeProto Of(string name, long value) => new(name, AttributeKind.Int) { Int = value };
    public static AttributeProto Of(string name, string value) => new(name, AttributeKind.String) { Text = value };
    public static AttributeProto Of(string name, GraphProto graph) => new(name, AttributeKind.Graph) { Graph = graph };
    public static AttributeProto Of(string name, long[] values) => new(name, AttributeKind.Ints) { Ints = values };
    public static AttributeProto Of(string name, string[] values) => new(name, AttributeKind.Strings) { Strings = values };
}

/// <summary>AttributeProto.AttributeType values we use.</summary>
internal enum AttributeKind
{
    Float = 1,
    Int = 2,
    String = 3,
    Tensor = 4,
    Graph = 5,
    Ints = 7,
    Strings = 8,
}

/// <summary>A graph input or output: a tensor type with a shape whose dimensions are sizes or named unknowns.</summary>
internal sealed record ValueInfoProto(string Name, ElementType Type, Dim[] Shape);

/// <summary>A dimension: a fixed size, or a symbolic name (dim_param) for a size known only at run time.</summary>
internal readonly record struct Dim(long Value, string? Param = null)
{
    public static implicit operator Dim(long value) => new(value);
    public static implicit operator Dim(string param) => new(0, param);
    public override string ToString() => Param ?? Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// A constant tensor. Numbers are kept as little-endian raw_data (what we write, and the compact form);
/// strings as string_data. Factories check that the data fits the shape.
/// </summary>
internal sealed class TensorProto
{
    private TensorProto(string name, ElementType type, long[] dims, byte[] raw, string[] strings)
    {
        Name = name;
        Type = type;
        Dims = dims;
        Raw = raw;
        Strings = strings;
    }

    public string Name { get; }
    public ElementType Type { get; }
    public long[] Dims { get; }
    /// <summary>raw_data: the elements, little-endian (numeric types).</summary>
    public byte[] Raw { get; }
    /// <summary>string_data: the elements, as UTF-8 on the wire (string type).</summary>
    public string[] Strings { get; }

    public long ElementCount => Dims.Aggregate(1L, (a, d) => a * d);

    public static TensorProto Floats(string name, long[] dims, ReadOnlySpan<float> values) => Numeric(name, ElementType.Float, dims, MemoryMarshal.AsBytes(values));
    public static TensorProto Doubles(string name, long[] dims, ReadOnlySpan<double> values) => Numeric(name, ElementType.Double, dims, MemoryMarshal.AsBytes(values));
    public static TensorProto Int64s(string name, long[] dims, ReadOnlySpan<long> values) => Numeric(name, ElementType.Int64, dims, MemoryMarshal.AsBytes(values));
    public static TensorProto Int64(string name, long value) => Int64s(name, [], [value]);

    public static TensorProto Texts(string name, string[] values) => new(name, ElementType.String, [values.Length], [], values);

    /// <summary>A tensor as read from a file; throws <see cref="InvalidDataException"/> when the data does not fill the dims exactly.</summary>
    public static TensorProto FromFile(string name, ElementType type, long[] dims, byte[] raw, string[] strings)
    {
        int size = ElementSize(type);
        if (size == 0 && type != ElementType.String)
            throw new InvalidDataException($"The ONNX tensor '{name}' has element type {(int)type}, which this reader does not handle.");
        long count = 1;
        foreach (long d in dims)
        {
            if (d < 0 || d > int.MaxValue || (count *= d) > int.MaxValue)
                throw new InvalidDataException($"The ONNX tensor '{name}' has an impossible shape [{string.Join(", ", dims)}].");
        }
        long have = type == ElementType.String ? strings.Length : raw.Length / size;
        if (have != count || (size > 0 && raw.Length % size != 0))
            throw new InvalidDataException(
                $"The ONNX tensor '{name}' declares shape [{string.Join(", ", dims)}] ({count} elements) but carries {have} (the file is corrupt or was not written by this library).");
        return new TensorProto(name, type, dims, raw, strings);
    }

    /// <summary>The elements of an Int64 or Int32 tensor, widened to long.</summary>
    public long[] AsInt64s() => Type switch
    {
        ElementType.Int64 => MemoryMarshal.Cast<byte, long>(Raw).ToArray(),
        ElementType.Int32 => [.. MemoryMarshal.Cast<byte, int>(Raw).ToArray().Select(v => (long)v)],
        _ => throw new InvalidDataException($"The ONNX tensor '{Name}' holds {Type}, not integers."),
    };

    public ReadOnlySpan<float> AsFloats()
        => Type == ElementType.Float
            ? MemoryMarshal.Cast<byte, float>(Raw)
            : throw new InvalidDataException($"The ONNX tensor '{Name}' holds {Type}, not Float.");

    private static TensorProto Numeric(string name, ElementType type, long[] dims, ReadOnlySpan<byte> bytes)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw data is little-endian.");
        var tensor = new TensorProto(name, type, dims, bytes.ToArray(), []);
        if (tensor.ElementCount * ElementSize(type) != bytes.Length)
            throw new ArgumentException($"Tensor '{name}': {bytes.Length} bytes do not fill shape [{string.Join(", ", dims)}].", nameof(dims));
        return tensor;
    }

    private static int ElementSize(ElementType type) => type switch
    {
        ElementType.Float => 4,
        ElementType.Double or ElementType.Int64 => 8,
        ElementType.Int32 or ElementType.UInt32 => 4,
        ElementType.UInt16 => 2,
        ElementType.Bool => 1,
        _ => 0,
    };
}
