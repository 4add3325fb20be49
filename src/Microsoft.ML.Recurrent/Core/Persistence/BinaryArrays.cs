using System.Runtime.InteropServices;

namespace Microsoft.ML.Recurrent.Persistence;

/// <summary>Length-prefixed float arrays in our binary files, with sizes checked against what is left before allocating.</summary>
internal static class BinaryArrays
{
    public static void WriteFloats(BinaryWriter w, ReadOnlySpan<float> values)
    {
        w.Write(values.Length);
        w.Write(MemoryMarshal.AsBytes(values));
    }

    public static void ReadFloatsInto(BinaryReader r, Span<float> destination)
    {
        var bytes = MemoryMarshal.AsBytes(destination);
        if (r.Read(bytes) != bytes.Length) throw new EndOfStreamException("The weights are truncated.");
    }

    public static float[] ReadFloats(BinaryReader r, string what)
    {
        int count = r.ReadInt32();
        if (count < 0) throw new InvalidDataException($"The {what} is corrupt: negative array length.");
        EnsureRemaining(r, 4L * count, what);
        var values = new float[count];
        ReadFloatsInto(r, values);
        return values;
    }

    public static void EnsureRemaining(BinaryReader r, long bytes, string what)
    {
        if (bytes > r.BaseStream.Length - r.BaseStream.Position)
            throw new InvalidDataException($"The {what} is truncated: {bytes} more bytes expected, {r.BaseStream.Length - r.BaseStream.Position} left.");
    }
}
