using System.Globalization;
using Microsoft.ML.Recurrent.Models;

namespace Microsoft.ML.Recurrent.Onnx;

/// <summary>
/// What our graphs record in ModelProto.metadata_props, so that any runtime can decode the output and our
/// importer can rebuild the model: the vocabulary (code points in index order), the cell and sizes, the
/// generation settings of a generator graph, and a checksum of the weights.
/// </summary>
internal sealed record OnnxMetadata(string Graph, CharVocabulary Vocabulary, NetworkShape Shape, double? ValidationLoss,
    GenerationSettings? Generation, string WeightsChecksum)
{
    private const string Prefix = "ml_recurrent.";
    private const string GraphKey = Prefix + "graph", VersionKey = Prefix + "format_version", CellKey = Prefix + "cell",
        VocabularyKey = Prefix + "vocabulary", HiddenKey = Prefix + "hidden_size", LayersKey = Prefix + "layers",
        DropoutKey = Prefix + "dropout", LossKey = Prefix + "validation_loss", MaxLengthKey = Prefix + "max_length",
        TemperatureKey = Prefix + "temperature", SeedKey = Prefix + "seed", ChecksumKey = Prefix + "weights_xxhash64";
    private const string FormatVersion = "1";

    /// <summary>Whether <paramref name="metadata"/> marks a graph written by this library.</summary>
    public static bool IsOurs(IEnumerable<KeyValuePair<string, string>> metadata) => metadata.Any(e => e.Key == GraphKey);

    public void WriteTo(List<KeyValuePair<string, string>> metadata)
    {
        var inv = CultureInfo.InvariantCulture;
        void Add(string key, string value) => metadata.Add(new(key, value));
        Add(GraphKey, Graph);
        Add(VersionKey, FormatVersion);
        Add(CellKey, Shape.Cell.ToString().ToLowerInvariant());
        Add(VocabularyKey, string.Join(' ', Vocabulary.CodePoints.ToArray()));
        Add(HiddenKey, Shape.Hidden.ToString(inv));
        Add(LayersKey, Shape.Layers.ToString(inv));
        Add(DropoutKey, Shape.Dropout.ToString("R", inv));
        if (ValidationLoss is double loss) Add(LossKey, loss.ToString("R", inv));
        if (Generation is { } g)
        {
            Add(MaxLengthKey, g.MaxLength.ToString(inv));
            Add(TemperatureKey, g.Temperature.ToString("R", inv));
            Add(SeedKey, g.Seed.ToString(inv));
        }
        Add(ChecksumKey, WeightsChecksum);
    }

    /// <exception cref="InvalidDataException">An entry is missing or malformed.</exception>
    public static OnnxMetadata Read(IEnumerable<KeyValuePair<string, string>> metadata)
    {
        var map = new Dictionary<string, string>();
        foreach (var (key, value) in metadata) map[key] = value;
        string Get(string key) => map.TryGetValue(key, out var v)
            ? v
            : throw new InvalidDataException($"The ONNX model lacks the metadata entry '{key}'; it was not written by Microsoft.ML.Recurrent.");
        if (Get(VersionKey) != FormatVersion)
            throw new InvalidDataException($"The ONNX model has format version {map[VersionKey]}; this library reads version {FormatVersion}.");

        var cell = Get(CellKey) switch
        {
            "rnn" => RecurrentCell.Rnn,
            "lstm" => RecurrentCell.Lstm,
            "gru" => RecurrentCell.Gru,
            var other => throw new InvalidDataException($"The ONNX model's cell '{other}' is unknown."),
        };
        string[] codes = Get(VocabularyKey).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (codes.Length > NetworkShape.MaxWidth)
            throw new InvalidDataException($"The ONNX model's vocabulary has {codes.Length} entries; at most {NetworkShape.MaxWidth} are allowed.");
        try
        {
            var vocabulary = new CharVocabulary(codes.Select(c => Parse<int>(c, VocabularyKey)));
            var shape = new NetworkShape(cell, vocabulary.Count, Parse<int>(Get(HiddenKey), HiddenKey), Parse<int>(Get(LayersKey), LayersKey),
                Parse<float>(Get(DropoutKey), DropoutKey));
            shape.Validate();
            double? loss = map.TryGetValue(LossKey, out var l) ? Parse<double>(l, LossKey) : null;
            GenerationSettings? generation = map.ContainsKey(MaxLengthKey)
                ? new GenerationSettings(Parse<int>(Get(MaxLengthKey), MaxLengthKey), Parse<float>(Get(TemperatureKey), TemperatureKey), Parse<int>(Get(SeedKey), SeedKey))
                : null;
            return new OnnxMetadata(Get(GraphKey), vocabulary, shape, loss, generation, Get(ChecksumKey));
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"The ONNX model's metadata describes an impossible model: {e.Message}", e);
        }
    }

    private static T Parse<T>(string text, string key) where T : IParsable<T>
        => T.TryParse(text, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new InvalidDataException($"The ONNX model's metadata entry '{key}' holds '{Truncate(text)}', which is not a {typeof(T).Name}.");

    private static string Truncate(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
