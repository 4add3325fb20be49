using System.IO.Hashing;
using System.Text;

namespace Microsoft.ML.Recurrent.Models;

/// <summary>
/// The container of every file the project writes: an 8-byte magic naming the content, a format version,
/// the payload length and a CRC-32 of the payload, so that a truncated or corrupted file is rejected with a
/// clear message before anything is allocated from it. Writes are atomic (temporary file, then rename).
/// </summary>
internal static class ModelFile
{
    public const int FormatVersion = 1;
    private const int HeaderSize = 8 + 4 + 8;

    public static void WriteAtomic(string path, string magic, Action<BinaryWriter> writePayload)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var payload = new MemoryStream();
        using (var writer = new BinaryWriter(payload, Encoding.UTF8, leaveOpen: true)) writePayload(writer);
        var bytes = payload.GetBuffer().AsSpan(0, (int)payload.Length);

        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temp = full + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            using (var writer = new BinaryWriter(file))
            {
                writer.Write(MagicBytes(magic));
                writer.Write(FormatVersion);
                writer.Write((long)bytes.Length);
                writer.Write(bytes);
                writer.Write(Crc32.HashToUInt32(bytes));
                writer.Flush();
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>Reads and verifies a file; returns a reader over its payload.</summary>
    public static BinaryReader OpenVerified(string path, string magic, string what)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"The {what} file '{path}' does not exist.", path);
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length < HeaderSize + 4 || !bytes.AsSpan(0, 8).SequenceEqual(MagicBytes(magic)))
            throw new InvalidDataException($"'{path}' is not a {what} file (its header does not start with '{magic}').");
        int version = BitConverter.ToInt32(bytes, 8);
        if (version != FormatVersion)
            throw new InvalidDataException($"'{path}' is a {what} of format version {version}; this library reads version {FormatVersion}.");
        long length = BitConverter.ToInt64(bytes, 12);
        if (length < 0 || length != bytes.Length - HeaderSize - 4)
            throw new InvalidDataException($"The {what} file '{path}' is truncated or corrupt: it declares {length} payload bytes but holds {bytes.Length - HeaderSize - 4}.");
        var payload = bytes.AsSpan(HeaderSize, (int)length);
        if (Crc32.HashToUInt32(payload) != BitConverter.ToUInt32(bytes, HeaderSize + (int)length))
            throw new InvalidDataException($"The {what} file '{path}' is corrupt: its checksum does not match its content.");
        return new BinaryReader(new MemoryStream(bytes, HeaderSize, (int)length, writable: false), Encoding.UTF8);
    }

    private static byte[] MagicBytes(string magic)
    {
        var b = Encoding.ASCII.GetBytes(magic);
        if (b.Length != 8) throw new ArgumentException("A magic is 8 ASCII characters.", nameof(magic));
        return b;
    }
}
