using System.Text;

namespace Microsoft.ML.Recurrent.Onnx;

/// <summary>
/// The protobuf wire format, read side, over a span. Every length is checked against what is left before
/// anything is sliced, so a truncated or corrupt file ends in an <see cref="InvalidDataException"/> that names
/// the message being read, never in a huge allocation or an endless loop (each call consumes at least a byte).
/// </summary>
internal ref struct ProtoReader(ReadOnlySpan<byte> data, string message)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _position;

    /// <summary>The message being read, for error messages.</summary>
    public string Message { get; } = message;

    public readonly bool End => _position >= _data.Length;

    /// <summary>Bytes consumed so far (with <see cref="Slice"/>, a field can be copied as it was).</summary>
    public readonly int Position => _position;

    /// <summary>The bytes [start, end) of the message, as read.</summary>
    public readonly ReadOnlySpan<byte> Slice(int start, int end) => _data[start..end];

    /// <summary>The next field's number and wire type.</summary>
    public (int Field, int WireType) ReadTag()
    {
        ulong tag = ReadVarint();
        int field = (int)Math.Min(tag >> 3, int.MaxValue);
        if (field == 0) throw Corrupt("a field number of 0");
        return (field, (int)(tag & 7));
    }

    public ulong ReadVarint()
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (End) throw Truncated();
            byte b = _data[_position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return value;
        }
        throw Corrupt("a varint longer than 10 bytes");
    }

    public long ReadInt64(int wireType)
    {
        Expect(wireType, WireType.Varint);
        return (long)ReadVarint();
    }

    public ReadOnlySpan<byte> ReadBytes(int wireType)
    {
        Expect(wireType, WireType.LengthDelimited);
        ulong length = ReadVarint();
        if (length > (ulong)(_data.Length - _position))
            throw new InvalidDataException($"The ONNX data is truncated: {Message} declares a {length}-byte field, but only {_data.Length - _position} bytes are left.");
        return Take((int)length);
    }

    public string ReadString(int wireType)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(ReadBytes(wireType));
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidDataException($"The ONNX data is corrupt: {Message} holds a string that is not valid UTF-8.", e);
        }
    }

    /// <summary>Repeated int64, packed (one length-delimited run) or not (one varint), at most <paramref name="max"/> in all.</summary>
    public void ReadInt64s(int wireType, List<long> into, int max)
    {
        if (wireType != WireType.LengthDelimited)
        {
            into.Add(ReadInt64(wireType));
        }
        else
        {
            var packed = new ProtoReader(ReadBytes(wireType), Message);
            while (!packed.End && into.Count <= max) into.Add((long)packed.ReadVarint());
        }
        if (into.Count > max) throw Corrupt($"more than {max} values in a repeated field");
    }

    public float ReadFloat(int wireType)
    {
        Expect(wireType, WireType.Fixed32);
        return System.Buffers.Binary.BinaryPrimitives.ReadSingleLittleEndian(Take(4));
    }

    /// <summary>Repeated float, packed (one length-delimited run) or not (one fixed32), at most <paramref name="max"/> in all.</summary>
    public void ReadFloats(int wireType, List<float> into, int max)
    {
        if (wireType != WireType.LengthDelimited)
        {
            into.Add(ReadFloat(wireType));
        }
        else
        {
            var packed = new ProtoReader(ReadBytes(wireType), Message);
            while (!packed.End && into.Count <= max) into.Add(packed.ReadFloat(WireType.Fixed32));
        }
        if (into.Count > max) throw Corrupt($"more than {max} values in a repeated field");
    }

    public void Skip(int wireType)
    {
        switch (wireType)
        {
            case WireType.Varint: ReadVarint(); break;
            case WireType.Fixed64: Take(8); break;
            case WireType.LengthDelimited: ReadBytes(wireType); break;
            case WireType.Fixed32: Take(4); break;
            default: throw Corrupt($"wire type {wireType}");
        }
    }

    public readonly InvalidDataException Corrupt(string what) => new($"The ONNX data is corrupt: {Message} has {what}.");

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > _data.Length - _position) throw Truncated();
        var slice = _data.Slice(_position, count);
        _position += count;
        return slice;
    }

    private readonly void Expect(int wireType, int expected)
    {
        if (wireType != expected) throw Corrupt($"a field of wire type {wireType} where {expected} was expected");
    }

    private readonly InvalidDataException Truncated() => new($"The ONNX data is truncated inside {Message}.");
}
