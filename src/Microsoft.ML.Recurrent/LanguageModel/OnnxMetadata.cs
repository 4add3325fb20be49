using System.Globalization;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Onnx;
using static Microsoft.ML.Recurrent.Onnx.StackMetadata;

namespace Microsoft.ML.Recurrent.LanguageModel;

/// <summary>
/// What the language model's graphs record in ModelProto.metadata_props besides <see cref="OnnxModelFile"/>'s common
/// block, so that any runtime can decode the output and our importer can rebuild the model: the vocabulary (code
/// points in index order), the cell and sizes, and the generation settings of a generator graph (with the name of its
/// uniforms input, when it has one).
/// </summary>
internal sealed record OnnxMetadata(CharVocabulary Vocabulary, LanguageModelShape Shape, double? ValidationLoss, GenerationSettings? Generation)
{
    private const string Prefix = OnnxModelFile.Prefix;
    private const string VocabularyKey = Prefix + "vocabulary", DropoutKey = Prefix + "dropout", LossKey = Prefix + "validation_loss",
        TemperatureKey = Prefix + "temperature", SeedKey = Prefix + "seed", UniformsInputKey = Prefix + "uniforms_input";

    /// <summary>The entries, for <see cref="OnnxModelFile.Write"/>.</summary>
    public List<KeyValuePair<string, string>> Entries()
    {
        var inv = CultureInfo.InvariantCulture;
        var metadata = Stack(Shape.Cell, Shape.Hidden, Shape.Layers).ToList();
        void Add(string key, string value) => metadata.Add(new(key, value));
        Add(VocabularyKey, string.Join(' ', Vocabulary.CodePoints.ToArray()));
        Add(DropoutKey, Shape.Dropout.ToString("R", inv));
        if (ValidationLoss is double loss) Add(LossKey, loss.ToString("R", inv));
        if (Generation is { } g)
        {
            Add(MaxLengthKey, g.MaxLength.ToString(inv));
            Add(TemperatureKey, g.Temperature.ToString("R", inv));
            Add(SeedKey, g.Seed.ToString(inv));
            if (g.UniformsInput is { } input) Add(UniformsInputKey, input); // the seed is then unused
        }
        return metadata;
    }

    /// <exception cref="InvalidDataException">An entry is missing or malformed.</exception>
    public static OnnxMetadata Read(IEnumerable<KeyValuePair<string, string>> metadata)
    {
        var map = new Dictionary<string, string>();
        foreach (var (key, value) in metadata) map[key] = value;
        string Get(string key) => map.TryGetValue(key, out var v)
            ? v
            : throw new InvalidDataException($"The ONNX model lacks the metadata entry '{key}'; it was not written by Microsoft.ML.Recurrent.");

        var cell = Get(CellKey) switch
        {
            "rnn" => RecurrentCell.Rnn,
            "lstm" => RecurrentCell.Lstm,
            "gru" => RecurrentCell.Gru,
            var other => throw new InvalidDataException($"The ONNX model's cell '{other}' is unknown."),
        };
        string[] codes = Get(VocabularyKey).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (codes.Length > LanguageModelShape.MaxWidth)
            throw new InvalidDataException($"The ONNX model's vocabulary has {codes.Length} entries; at most {LanguageModelShape.MaxWidth} are allowed.");
        try
        {
            var vocabulary = new CharVocabulary(codes.Select(c => Parse<int>(c, VocabularyKey)));
            var shape = new LanguageModelShape(cell, vocabulary.Count, Parse<int>(Get(HiddenKey), HiddenKey), Parse<int>(Get(LayersKey), LayersKey),
                Parse<float>(Get(DropoutKey), DropoutKey));
            shape.Validate();
            double? loss = map.TryGetValue(LossKey, out var l) ? Parse<double>(l, LossKey) : null;
            GenerationSettings? generation = map.ContainsKey(MaxLengthKey)
                ? new GenerationSettings(Parse<int>(Get(MaxLengthKey), MaxLengthKey), Parse<float>(Get(TemperatureKey), TemperatureKey), Parse<int>(Get(SeedKey), SeedKey),
                    map.GetValueOrDefault(UniformsInputKey))
                : null;
            return new OnnxMetadata(vocabulary, shape, loss, generation);
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
