using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace Microsoft.ML.Recurrent.Persistence;

/// <summary>
/// The container of every file the project writes: an 8-byte magic naming the content, a format version,
/// the payload length and a CRC-32 of the payload, so that a truncated or corrupted file is rejected with a
/// clear message before anything is allocated from it. Path writes are atomic (temporary file, then rename).
/// Models write their payload as sections (<see cref="ModelWriter"/>, <see cref="ModelReader"/>) through
/// <see cref="Save(Stream, ModelKind, Action{ModelWriter})"/> and <see cref="Load{T}(Stream, ModelKind, Func{ModelReader, T})"/>.
/// </summary>
internal static class ModelFile
{
    /// <summary>The version <see cref="WriteAtomic(string, string, Action{BinaryWriter})"/> writes (an unsectioned payload).</summary>
    public const int FormatVersion = 1;
    private const int HeaderSize = 8 + 4 + 8;
    private const int ChecksumSize = 4;

    /// <summary>Writes <paramref name="kind"/>'s container, its payload as sections, to the stream's current position.</summary>
    public static void Save(Stream stream, ModelKind kind, Action<ModelWriter> write)
        => Write(stream, kind.Magic, kind.Version, w => write(new ModelWriter(w)));

    /// <summary>Writes <paramref name="kind"/>'s container to <paramref name="path"/>, atomically.</summary>
    public static void Save(string path, ModelKind kind, Action<ModelWriter> write)
        => WriteAtomic(path, kind.Magic, kind.Version, w => write(new ModelWriter(w)));

    /// <summary>Reads and verifies one container of <paramref name="kind"/> from the stream's current position, and stops after it.</summary>
    public static T Load<T>(Stream stream, ModelKind kind, Func<ModelReader, T> read)
    {
        string source = Describe(stream);
        return Parse(Read(stream, kind.Magic, kind.What, source, kind.Version), kind, source, read);
    }

    /// <summary>Reads and verifies the container file <paramref name="path"/> of <paramref name="kind"/>.</summary>
    public static T Load<T>(string path, ModelKind kind, Func<ModelReader, T> read)
        => Parse(OpenVerified(path, kind.Magic, kind.What, kind.Version), kind, $"'{path}'", read);

    public static void WriteAtomic(string path, string magic, Action<BinaryWriter> writePayload)
        => WriteAtomic(path, magic, FormatVersion, writePayload);

    /// <summary>
    /// Writes a container to a temporary file beside <paramref name="path"/>, then renames it over the path: a
    /// writer that throws, or a crash, leaves the previous file as it was and no temporary file behind.
    /// </summary>
    public static void WriteAtomic(string path, string magic, int version, Action<BinaryWriter> writePayload)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temp = full + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                Write(file, magic, version, writePayload);
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>Writes a container to the stream's current position; the payload is built in memory first, so a writer that throws writes nothing.</summary>
    public static void Write(Stream stream, string magic, int version, Action<BinaryWriter> writePayload)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanWrite) throw new ArgumentException("The stream is not writable.", nameof(stream));
        byte[] magicBytes = MagicBytes(magic);
        var payload = new MemoryStream();
        using (var writer = new BinaryWriter(payload, Encoding.UTF8, leaveOpen: true)) writePayload(writer);
        var bytes = payload.GetBuffer().AsSpan(0, (int)payload.Length);
        using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        w.Write(magicBytes);
        w.Write(version);
        w.Write((long)bytes.Length);
        w.Write(bytes);
        w.Write(Crc32.HashToUInt32(bytes));
        w.Flush();
    }

    /// <summary>Reads and verifies a version-1 file; returns a reader over its payload.</summary>
    public static BinaryReader OpenVerified(string path, string magic, string what)
        => OpenVerified(path, magic, what, FormatVersion).Payload;

    /// <summary>Reads and verifies a file of format version 1 to <paramref name="newestVersion"/>, which must hold nothing after the container.</summary>
    public static (int Version, BinaryReader Payload) OpenVerified(string path, string magic, string what, int newestVersion)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"The {what} file '{path}' does not exist.", path);
        using var file = File.OpenRead(path);
        var result = Read(file, magic, what, $"'{path}'", newestVersion);
        if (file.Position != file.Length)
            throw new InvalidDataException($"The {what} file '{path}' is corrupt: {file.Length - file.Position} bytes follow the end of its content.");
        return result;
    }

    /// <summary>
    /// Reads one container from the stream's current position (leaving the stream just after it) and verifies
    /// its magic, version, length and checksum; returns its version and a reader over its payload. Messages name
    /// the content <paramref name="what"/> and the stream <paramref name="source"/> (e.g. a quoted path); versions
    /// 1 to <paramref name="newestVersion"/> are accepted.
    /// </summary>
    public static (int Version, BinaryReader Payload) Read(Stream stream, string magic, string what, string source, int newestVersion)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead) throw new ArgumentException("The stream is not readable.", nameof(stream));
        var header = new byte[HeaderSize];
        int got = stream.ReadAtLeast(header, HeaderSize, throwOnEndOfStream: false);
        if (got < 8 || !header.AsSpan(0, 8).SequenceEqual(MagicBytes(magic)))
            throw new InvalidDataException($"The data in {source} is not {("aeiou".Contains(what[0]) ? "an" : "a")} {what} (it does not start with '{magic}').");
        if (got < HeaderSize) throw new InvalidDataException($"The {what} in {source} is truncated: its header is {got} of {HeaderSize} bytes.");
        int version = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(8));
        if (version > newestVersion)
            throw new InvalidDataException($"The {what} in {source} has format version {version}, written by a newer library; this one reads versions 1 to {newestVersion}.");
        if (version < 1) throw new InvalidDataException($"The {what} in {source} is corrupt: its format version is {version}.");
        long length = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(12));
        if (length < 0 || length > Array.MaxLength - ChecksumSize)
            throw new InvalidDataException($"The {what} in {source} is corrupt: it declares {length} payload bytes.");
        if (stream.CanSeek && length + ChecksumSize > stream.Length - stream.Position)
            throw new InvalidDataException(Truncated(what, source, length, stream.Length - stream.Position - ChecksumSize));

        // Read in pieces: a corrupt length in a stream that cannot tell its size allocates only what really arrives.
        var content = new MemoryStream(stream.CanSeek ? (int)(length + ChecksumSize) : 0);
        var piece = new byte[81920];
        for (long left = length + ChecksumSize; left > 0;)
        {
            int n = stream.Read(piece, 0, (int)Math.Min(piece.Length, left));
            if (n == 0) throw new InvalidDataException(Truncated(what, source, length, length + ChecksumSize - left - ChecksumSize));
            content.Write(piece, 0, n);
            left -= n;
        }
        var bytes = content.GetBuffer();
        if (Crc32.HashToUInt32(bytes.AsSpan(0, (int)length)) != BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan((int)length)))
            throw new InvalidDataException($"The {what} in {source} is corrupt: its checksum does not match its content.");
        return (version, new BinaryReader(new MemoryStream(bytes, 0, (int)length, writable: false), Encoding.UTF8));
    }

    /// <summary>How messages name a stream: a file stream by its path.</summary>
    public static string Describe(Stream stream) => stream is FileStream file ? $"'{file.Name}'" : "the stream";

    private static T Parse<T>((int Version, BinaryReader Payload) container, ModelKind kind, string source, Func<ModelReader, T> read)
    {
        using var payload = container.Payload;
        var reader = new ModelReader(payload, container.Version, kind.What, source);
        try
        {
            T model = read(reader);
            reader.End();
            return model;
        }
        catch (Exception e) when (e is EndOfStreamException or ArgumentException
            || (e is InvalidDataException && !e.Message.Contains(source, StringComparison.Ordinal)))
        {
            // Shape checks throw ArgumentException and short reads EndOfStreamException; both mean the data is bad.
            throw reader.Corrupt(e.Message, e);
        }
    }

    private static string Truncated(string what, string source, long declared, long present)
        => $"The {what} in {source} is truncated: it declares {declared} payload bytes but holds {Math.Max(0, present)}.";

    private static byte[] MagicBytes(string magic)
    {
        var b = Encoding.ASCII.GetBytes(magic);
        if (b.Length != 8) throw new ArgumentException("A magic is 8 ASCII characters.", nameof(magic));
        return b;
    }
}
