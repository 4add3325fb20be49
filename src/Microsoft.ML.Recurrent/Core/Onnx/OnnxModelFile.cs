using System.Buffers.Binary;
using System.IO.Hashing;
using System.Reflection;
using System.Text;

namespace Microsoft.ML.Recurrent.Onnx;

/// <summary>What <see cref="OnnxModelFile.Read"/> found in the common metadata block of one of our graphs.</summary>
/// <param name="Model">The whole model, parsed.</param>
/// <param name="Graph">The graph kind (<c>ml_recurrent.graph</c>): the root graph's name, e.g. <c>char_generator</c>.</param>
/// <param name="FormatVersion">The version of our metadata; <see cref="OnnxModelFile.LegacyFormatVersion"/> files are not verified by the reader.</param>
/// <param name="Checksum">The stored <c>ml_recurrent.weights_xxhash64</c>.</param>
internal sealed record OnnxModelInfo(ModelProto Model, string Graph, string FormatVersion, string Checksum);

/// <summary>
/// The one place where our graphs become ONNX model files and are read back. Every file gets the producer, IR and
/// opset, a doc string and a common metadata block — <c>ml_recurrent.graph</c> (the kind), <c>ml_recurrent.format_version</c>
/// and <c>ml_recurrent.weights_xxhash64</c> — around the task's own <c>ml_recurrent.*</c> entries. The checksum covers
/// every initializer (name, type, dims, data, in file order), so the reader can verify a file of any kind without
/// knowing its layout.
/// </summary>
/// <remarks>
/// Format version 1 (language-model graphs written before the checksum covered every initializer) hashed only the
/// language network's raw weights; the language model's importer still verifies those by rebuilding the network.
/// </remarks>
internal static class OnnxModelFile
{
    public const string Prefix = "ml_recurrent.";
    public const string GraphKey = Prefix + "graph", VersionKey = Prefix + "format_version", ChecksumKey = Prefix + "weights_xxhash64";
    public const string FormatVersion = "2", LegacyFormatVersion = "1";
    private const string Producer = "Microsoft.ML.Recurrent";

    /// <summary>
    /// Puts <paramref name="weights"/> first among the graph's initializers and writes the model: kind = the root
    /// graph's name, then the common block around <paramref name="properties"/> (task entries, each named
    /// <c>ml_recurrent.*</c> and not one of the common keys).
    /// </summary>
    public static byte[] Write(GraphBuilder graph, IEnumerable<TensorProto> weights, string docString,
        IEnumerable<KeyValuePair<string, string>> properties)
    {
        graph.Graph.Initializers.InsertRange(0, weights);
        var model = new ModelProto(graph.Graph)
        {
            ProducerName = Producer,
            ProducerVersion = typeof(OnnxModelFile).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "",
            DocString = docString,
            MlOpset = graph.Graph.Nodes.Any(n => n.Domain == ModelProto.MlDomain) ? ModelProto.DefaultMlOpset : 0,
        };
        model.Metadata.Add(new(GraphKey, graph.Graph.Name));
        model.Metadata.Add(new(VersionKey, FormatVersion));
        foreach (var entry in properties)
        {
            if (!entry.Key.StartsWith(Prefix, StringComparison.Ordinal) || entry.Key is GraphKey or VersionKey or ChecksumKey)
                throw new ArgumentException($"The metadata key '{entry.Key}' must start with '{Prefix}' and not be a common key.", nameof(properties));
            model.Metadata.Add(entry);
        }
        model.Metadata.Add(new(ChecksumKey, Checksum(graph.Graph.Initializers)));
        return OnnxFormat.Write(model);
    }

    /// <summary>The graph kind of a model's metadata, or null when it was not written by this library.</summary>
    public static string? Kind(IEnumerable<KeyValuePair<string, string>> metadata)
        => metadata.Where(e => e.Key == GraphKey).Select(e => e.Value).FirstOrDefault();

    /// <summary>Parses one of our model files and verifies its checksum.</summary>
    /// <param name="onnx">The .onnx bytes.</param>
    /// <param name="source">What the bytes are, for messages: "'model.onnx'", "the zip entry 'OnnxModel'".</param>
    /// <param name="acceptLegacy">Whether the caller verifies <see cref="LegacyFormatVersion"/> files itself.</param>
    /// <exception cref="InvalidDataException">The bytes are not ONNX, not ours, of another format version, or
    /// their initializers do not match the checksum.</exception>
    public static OnnxModelInfo Read(ReadOnlySpan<byte> onnx, string source, bool acceptLegacy = false)
    {
        var model = OnnxFormat.Read(onnx);
        var map = new Dictionary<string, string>();
        foreach (var (key, value) in model.Metadata) map[key] = value;
        string Get(string key) => map.TryGetValue(key, out var v)
            ? v
            : throw new InvalidDataException($"The ONNX model in {source} lacks the metadata entry '{key}'; it was not written by Microsoft.ML.Recurrent.");
        string graph = Get(GraphKey), version = Get(VersionKey), checksum = Get(ChecksumKey);
        if (version == LegacyFormatVersion && acceptLegacy) return new OnnxModelInfo(model, graph, version, checksum);
        if (version != FormatVersion)
            throw new InvalidDataException($"The ONNX model in {source} has format version {version}; this library reads version {FormatVersion}" +
                (acceptLegacy ? $" and {LegacyFormatVersion}." : "."));
        if (Checksum(model.Graph.Initializers) != checksum) throw ChecksumMismatch(source);
        return new OnnxModelInfo(model, graph, version, checksum);
    }

    /// <summary>Refuses weights read from an ONNX model that hold a NaN or an infinity: such a model can only produce NaN.</summary>
    /// <exception cref="InvalidDataException">A weight is not finite.</exception>
    public static void RequireFiniteWeights(ReadOnlySpan<float> weights, string source)
    {
        foreach (float v in weights)
            if (!float.IsFinite(v)) throw new InvalidDataException($"The ONNX model in {source} holds non-finite weights.");
    }

    /// <summary>The error for weights that do not match the stored checksum.</summary>
    public static InvalidDataException ChecksumMismatch(string source)
        => new($"The weights of the ONNX model in {source} do not match the checksum in its metadata ({ChecksumKey}): the file was altered or is corrupt.");

    /// <summary>XxHash64 over every initializer's name, type, dims and data, length-prefixed so that no two lists hash alike by concatenation.</summary>
    public static string Checksum(IEnumerable<TensorProto> initializers)
    {
        var hash = new XxHash64();
        var number = new byte[sizeof(long)];
        void Int64(long value)
        {
            BinaryPrimitives.WriteInt64LittleEndian(number, value);
            hash.Append(number);
        }
        void Bytes(ReadOnlySpan<byte> bytes)
        {
            Int64(bytes.Length);
            hash.Append(bytes);
        }
        foreach (var t in initializers)
        {
            Bytes(Encoding.UTF8.GetBytes(t.Name));
            Int64((long)t.Type);
            Int64(t.Dims.Length);
            foreach (long d in t.Dims) Int64(d);
            Bytes(t.Raw);
            Int64(t.Strings.Length);
            foreach (string s in t.Strings) Bytes(Encoding.UTF8.GetBytes(s));
        }
        return Convert.ToHexString(hash.GetCurrentHash());
    }
}
