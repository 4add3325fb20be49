using System.Text;

namespace Microsoft.ML.Recurrent.Onnx;

/// <summary>
/// The protobuf wire format, write side, for the handful of ONNX messages we emit. Hand-written rather than
/// Google.Protobuf: that package (present through Microsoft.ML.OnnxTransformer) would give us only these
/// primitives, because ML.NET's generated ONNX classes are internal and generating our own would add a build
/// step for five message types. Nested messages are written to their own buffer first (their length prefix
/// must precede them), which is fine at our sizes.
/// </summary>
internal sealed class ProtoWriter
{
    private readonly MemoryStream _buffer = new();

    public byte[] ToArray() => _buffer.ToArray();

    public void Int64(int field, long value)
    {
        Tag(field, WireType.Varint);
        Varint((ulong)value);
    }

    public void Float(int field, float value)
    {
        Tag(field, WireType.Fixed32);
        Span<byte> bytes = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
        _buffer.Write(bytes);
    }

    public void String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    public void Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, WireType.LengthDelimited);
        Varint((ulong)value.Length);
        _buffer.Write(value);
    }

    /// <summary>Bytes already in wire format (a field copied as it was read).</summary>
    public void Raw(ReadOnlySpan<byte> bytes) => _buffer.Write(bytes);

    /// <summary>A nested message, written by <paramref name="write"/>.</summary>
    public void Message(int field, Action<ProtoWriter> write)
    {
        var nested = new ProtoWriter();
        write(nested);
        Bytes(field, nested._buffer.GetBuffer().AsSpan(0, (int)nested._buffer.Length));
    }

    /// <summary>A packed repeated int64 field (proto3 style; proto2 readers accept it too).</summary>
    public void PackedInt64(int field, IReadOnlyList<long> values)
    {
        var nested = new ProtoWriter();
        foreach (long v in values) nested.Varint((ulong)v);
        Bytes(field, nested._buffer.GetBuffer().AsSpan(0, (int)nested._buffer.Length));
    }

    private void Tag(int field, int wireType) => Varint((ulong)((field << 3) | wireType));

    private void Varint(ulong value)
    {
        while (value >= 0x80)
        {
            _buffer.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        _buffer.WriteByte((byte)value);
    }
}

/// <summary>The protobuf wire types we meet (groups, 3 and 4, are not used by ONNX).</summary>
internal static class WireType
{
    public const int Varint = 0, Fixed64 = 1, LengthDelimited = 2, Fixed32 = 5;
}
