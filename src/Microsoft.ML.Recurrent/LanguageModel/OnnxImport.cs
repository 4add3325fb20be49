using System.Buffers.Binary;
using System.IO.Compression;
using Microsoft.ML.Recurrent.Onnx;

namespace Microsoft.ML.Recurrent.LanguageModel;

/// <summary>A model read back from one of our ONNX graphs.</summary>
internal sealed record ImportedModel(CharVocabulary Vocabulary, LanguageNetwork Network, double? ValidationLoss, GenerationSettings? Generation);

/// <summary>
/// Reads a model back from one of our ONNX graphs, given either the .onnx bytes or an ML.NET model zip that
/// holds the graph (ML.NET's OnnxTransformer stores it as an entry named <c>OnnxModel</c>: an int32 length,
/// then the bytes). Everything is validated before use: metadata, every weight's shape, the weights' checksum.
/// </summary>
internal static class OnnxImport
{
    /// <summary>Protobuf messages cannot exceed 2 GiB; nothing larger can be one of our graphs.</summary>
    private const long MaxBytes = int.MaxValue;
    private const string OnnxEntryName = "OnnxModel";

    /// <exception cref="InvalidDataException">The data is not one of our language-model graphs (or a zip holding one), or is corrupt.</exception>
    public static ImportedModel Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        byte[] bytes = ReadAll(stream, MaxBytes);
        string source = stream is FileStream file ? $"'{file.Name}'" : "the data";
        if (!IsZip(bytes)) return Parse(bytes, source);
        var (onnx, entry) = FromZip(bytes);
        return Parse(onnx, $"the zip entry '{entry}' of {source}");
    }

    /// <param name="onnx">The .onnx bytes.</param>
    /// <param name="source">What the bytes are, for messages (see <see cref="OnnxModelFile.Read"/>).</param>
    /// <exception cref="InvalidDataException">The bytes are not one of our language-model graphs, or are corrupt.</exception>
    public static ImportedModel Parse(ReadOnlySpan<byte> onnx, string source)
    {
        var info = OnnxModelFile.Read(onnx, source, acceptLegacy: true);
        if (!IsLanguageModel(info.Graph))
            throw new InvalidDataException($"The ONNX model in {source} is a '{info.Graph}' graph, not a language model.");
        var meta = OnnxMetadata.Read(info.Model.Metadata);
        var initializers = new Dictionary<string, TensorProto>();
        foreach (var t in info.Model.Graph.Initializers) initializers[t.Name] = t;

        var network = LanguageModelWeights.Import(meta.Shape, initializers);
        // Version 1 hashed only the network's weights; OnnxModelFile.Read has verified every initializer of newer files.
        if (info.FormatVersion == OnnxModelFile.LegacyFormatVersion && LanguageModelWeights.Checksum(LanguageModelWeights.Export(network)) != info.Checksum)
            throw OnnxModelFile.ChecksumMismatch(source);
        OnnxModelFile.RequireFiniteWeights(network.Parameters.Values, source);
        return new ImportedModel(meta.Vocabulary, network, meta.ValidationLoss, meta.Generation);
    }

    private static bool IsLanguageModel(string? graph) => graph is LanguageModelGraph.Name or GeneratorGraph.Name;

    /// <summary>Reads an ONNX model's bytes to the end, refusing more than 2 GiB.</summary>
    public static byte[] ReadAll(Stream stream) => ReadAll(stream, MaxBytes);

    // Reads to the end, refusing more than limit bytes (sizes declared by the data itself are not trusted).
    private static byte[] ReadAll(Stream stream, long limit)
    {
        if (stream.CanSeek && stream.Length - stream.Position > limit) throw TooLarge(limit);
        using var copy = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            if (copy.Length + read > limit) throw TooLarge(limit);
            copy.Write(buffer, 0, read);
        }
        return copy.ToArray();
    }

    private static InvalidDataException TooLarge(long limit)
        => new($"The data is larger than {limit} bytes, more than an ONNX model (at most 2 GiB) or a zip of this size can hold.");

    private static bool IsZip(ReadOnlySpan<byte> bytes) => bytes.StartsWith("PK\u0003\u0004"u8);

    // The one OnnxModel entry of the zip whose graph is one of our language models, and the entry's name.
    private static (byte[] Onnx, string Entry) FromZip(byte[] zip)
    {
        using var archive = Unzip(() => new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read));
        var ours = new List<(byte[], string)>();
        foreach (var entry in Unzip(() => archive.Entries.Where(e => e.Name == OnnxEntryName).ToList()))
        {
            byte[] onnx = ReadEntry(entry, zip.Length);
            if (IsLanguageModel(OnnxModelFile.Kind(OnnxFormat.ReadMetadata(onnx)))) ours.Add((onnx, entry.FullName));
        }
        return ours.Count switch
        {
            1 => ours[0],
            0 => throw new InvalidDataException("The ML.NET model zip holds no ONNX graph of a language model written by Microsoft.ML.Recurrent."),
            _ => throw new InvalidDataException($"The ML.NET model zip holds {ours.Count} language models; export the one you want with ExportToOnnx."),
        };
    }

    /// <summary>Runs a zip operation, turning the zip library's complaints into one clear message.</summary>
    private static T Unzip<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
        {
            throw new InvalidDataException($"The ML.NET model zip is truncated or corrupt: {e.Message}", e);
        }
    }

    private static byte[] ReadEntry(ZipArchiveEntry entry, long zipLength)
    {
        // Deflate expands at most 1032-fold: a bound on the entry that does not trust its declared size.
        long limit = Math.Min(MaxBytes + 4, zipLength * 1032 + 64);
        byte[] bytes = Unzip(() =>
        {
            using var s = entry.Open();
            return ReadAll(s, limit);
        });
        if (bytes.Length < 4) throw new InvalidDataException($"The zip entry '{entry.FullName}' is too short to hold an ONNX model.");
        int length = BinaryPrimitives.ReadInt32LittleEndian(bytes);
        if (length != bytes.Length - 4)
            throw new InvalidDataException($"The zip entry '{entry.FullName}' declares {length} bytes of ONNX but holds {bytes.Length - 4}.");
        return bytes[4..];
    }
}
