using System.Buffers.Binary;
using System.IO.Compression;

namespace Microsoft.ML.Recurrent;

/// <summary>
/// Reads IDX files, the format of MNIST and Fashion-MNIST (<c>train-images-idx3-ubyte.gz</c>, …): a big-endian header
/// (two zero bytes, the element type 0x08 = unsigned byte, the number of dimensions, then each dimension as a 32-bit
/// integer) followed by the elements. Gzipped files (as distributed) are recognised by their gzip signature and
/// decompressed. Every mismatch between the header and the file is an <see cref="InvalidDataException"/> naming the file.
/// </summary>
/// <example>
/// Each image as a sequence of its rows, for a recurrent classifier with <c>StepWidth = images.Columns</c>:
/// <code>
/// var images = IdxFile.ReadImages("train-images-idx3-ubyte.gz");
/// byte[] labels = IdxFile.ReadLabels("train-labels-idx1-ubyte.gz");
/// float[] first = images.Scaled(0); // images.Rows steps of images.Columns values in [0, 1]
/// </code>
/// </example>
public static class IdxFile
{
    private const int ImagesMagic = 0x00000803; // unsigned bytes, 3 dimensions: count, rows, columns
    private const int LabelsMagic = 0x00000801; // unsigned bytes, 1 dimension: count

    /// <summary>Reads an IDX file of unsigned-byte images (magic 0x00000803: count × rows × columns).</summary>
    /// <param name="path">The file, gzipped or not.</param>
    /// <exception cref="InvalidDataException">The magic number is not 0x00000803, a dimension is not positive, or the
    /// pixels after the header are fewer (a truncated file) or more than the header's dimensions say.</exception>
    public static IdxImages ReadImages(string path)
    {
        var bytes = Read(path);
        var dims = Header(bytes, path, ImagesMagic, "images");
        return new IdxImages(dims[0], dims[1], dims[2], Body(bytes, path, 16, dims, "images"));
    }

    /// <summary>Reads an IDX file of unsigned-byte labels (magic 0x00000801), one per image.</summary>
    /// <param name="path">The file, gzipped or not.</param>
    /// <exception cref="InvalidDataException">The magic number is not 0x00000801, or the labels after the header are
    /// fewer (a truncated file) or more than the header's count.</exception>
    public static byte[] ReadLabels(string path)
    {
        var bytes = Read(path);
        var dims = Header(bytes, path, LabelsMagic, "labels");
        return Body(bytes, path, 8, dims, "labels");
    }

    private static byte[] Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var raw = File.ReadAllBytes(path);
        if (raw.Length < 2 || raw[0] != 0x1f || raw[1] != 0x8b) return raw;
        using var gzip = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress);
        using var inflated = new MemoryStream();
        gzip.CopyTo(inflated);
        return inflated.ToArray();
    }

    private static int[] Header(byte[] bytes, string path, int magic, string what)
    {
        int rank = magic & 0xff;
        if (bytes.Length < 4 + 4 * rank)
            throw new InvalidDataException($"{path}: {bytes.Length} bytes are too few for the header of an IDX file of {what} ({4 + 4 * rank} bytes).");
        int found = BinaryPrimitives.ReadInt32BigEndian(bytes);
        if (found != magic)
            throw new InvalidDataException($"{path}: magic number 0x{found:X8}, expected 0x{magic:X8} (an IDX file of unsigned-byte {what}).");
        var dims = new int[rank];
        for (int d = 0; d < rank; d++)
        {
            dims[d] = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 + 4 * d));
            // A count of zero is a valid (empty) file; an image of zero rows or columns is not.
            if (dims[d] < (d == 0 ? 0 : 1))
                throw new InvalidDataException($"{path}: dimension {d} of the header is {dims[d]}.");
        }
        return dims;
    }

    private static byte[] Body(byte[] bytes, string path, int headerLength, int[] dims, string what)
    {
        long expected = dims.Aggregate(1L, (p, d) => p * d);
        long found = bytes.Length - headerLength;
        if (found != expected)
            throw new InvalidDataException($"{path}: the header promises {string.Join(" × ", dims)} = {expected:N0} bytes of {what}, " +
                                           $"the file holds {found:N0}{(found < expected ? " (truncated?)" : "")}.");
        return bytes[headerLength..];
    }
}

/// <summary>The images of an IDX file (<see cref="IdxFile.ReadImages"/>): <see cref="Count"/> images of <see cref="Rows"/> × <see cref="Columns"/> unsigned-byte pixels.</summary>
public sealed class IdxImages
{
    private readonly byte[] _pixels;

    internal IdxImages(int count, int rows, int columns, byte[] pixels)
    {
        Count = count;
        Rows = rows;
        Columns = columns;
        _pixels = pixels;
    }

    /// <summary>The number of images.</summary>
    public int Count { get; }

    /// <summary>Pixel rows per image.</summary>
    public int Rows { get; }

    /// <summary>Pixels per row.</summary>
    public int Columns { get; }

    /// <summary>A new array of image <paramref name="index"/>'s pixels divided by 255, row after row (<see cref="Rows"/> × <see cref="Columns"/> values in [0, 1]).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not in [0, <see cref="Count"/>).</exception>
    public float[] Scaled(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        int size = Rows * Columns;
        var values = new float[size];
        var source = _pixels.AsSpan(index * size, size);
        for (int i = 0; i < size; i++) values[i] = source[i] / 255f;
        return values;
    }
}
