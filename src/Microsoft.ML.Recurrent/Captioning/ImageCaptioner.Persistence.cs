using Microsoft.ML.Recurrent.Captioning;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Persistence;
using Microsoft.ML.Recurrent.Text;

namespace Microsoft.ML.Recurrent;

/// <summary>Saving and loading a captioner in the project's checked model container (<see cref="ModelFile"/>).</summary>
public sealed partial class ImageCaptioner
{
    /// <summary>
    /// Version 4 adds the attention query; version 3 the attention settings; version 2 writes sections and each parameter's shape; version 1 files (a
    /// flat weight array) still load.
    /// </summary>
    private static readonly ModelKind Kind = new("MLRNNCAP", "image captioner", Version: 4);

    /// <summary>
    /// Writes the network, vocabulary, feature normalisation and decoding settings to <paramref name="path"/>
    /// (atomically: an existing file stays as it was until the new one is complete); training-only settings are
    /// not kept. The file is the stream format of <see cref="Save(Stream)"/>.
    /// </summary>
    /// <param name="path">The file to write; its folder is created if needed.</param>
    public void Save(string path) => ModelFile.Save(path, Kind, Write);

    /// <summary>
    /// Writes the captioner to <paramref name="stream"/> at its current position: a checked container (magic
    /// <c>MLRNNCAP</c>, format version, length, CRC-32) holding what <see cref="Save(string)"/> keeps.
    /// </summary>
    /// <param name="stream">A writable stream; it is left open.</param>
    /// <exception cref="ArgumentException">The stream is not writable.</exception>
    public void Save(Stream stream) => ModelFile.Save(stream, Kind, Write);

    /// <summary>Reads a captioner written by <see cref="Save(string)"/> (of this or an earlier version of the library).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a captioner, or is truncated or corrupt, or comes from a newer library.</exception>
    public static ImageCaptioner Load(string path) => ModelFile.Load(path, Kind, Read);

    /// <summary>
    /// Reads a captioner written by <see cref="Save(Stream)"/> from the stream's current position, and leaves
    /// the stream just after it.
    /// </summary>
    /// <param name="stream">A readable stream; it is left open.</param>
    /// <exception cref="ArgumentException">The stream is not readable.</exception>
    /// <exception cref="InvalidDataException">The data is not a captioner, or is truncated or corrupt, or comes from a newer library.</exception>
    public static ImageCaptioner Load(Stream stream) => ModelFile.Load(stream, Kind, Read);

    // Version 2 sections (version 1 holds the same fields without section framing, its weights one flat array).
    private void Write(ModelWriter w)
    {
        w.Section("settings", s =>
        {
            var shape = _network.Shape;
            foreach (int value in new[] { (int)shape.Cell, shape.Features, shape.Embedding, shape.Hidden, shape.Layers, (int)shape.Conditioning })
                s.Write(value);
            s.Write(shape.Dropout);
            s.Write(Options.MaxCaptionLength);
            s.Write((int)Options.Decoding);
            s.Write(Options.BeamSize);
            s.Write(Options.Temperature);
            s.Write(Options.EffectiveSeed);
        });
        w.Section("attention", s =>
        {
            s.Write(Options.AttentionRegions);
            s.Write(Options.EffectiveAttentionSize);
            s.Write(Options.AttentionGate);
            s.Write((int)Options.AttentionQuery);
        });
        w.Section("words", s =>
        {
            var words = _vocabulary.Words.Skip(3).ToList(); // the reserved ids are implied
            s.Write(words.Count);
            foreach (string word in words) s.Write(word);
        });
        w.Section("normalisation", s =>
        {
            BinaryArrays.WriteFloats(s, _mean);
            BinaryArrays.WriteFloats(s, _inverseDeviation);
        });
        w.Parameters(_network.Parameters);
    }

    private static ImageCaptioner Read(ModelReader r)
    {
        var (options, features) = r.Section("settings", ReadSettings);
        if (r.Version >= 3)
            r.Section("attention", s =>
            {
                options.AttentionRegions = s.ReadInt32();
                options.AttentionSize = s.ReadInt32();
                options.AttentionGate = s.ReadBoolean();
                if (r.Version >= 4) options.AttentionQuery = (AttentionQuery)s.ReadInt32();
                return options;
            });
        var vocabulary = r.Section("words", s =>
        {
            int count = s.ReadInt32();
            BinaryArrays.EnsureRemaining(s, count, Kind.What); // at least one byte per word
            return new WordVocabulary(Enumerable.Range(0, count).Select(_ => s.ReadString()).ToList());
        });
        var (mean, inverseDeviation) = r.Section("normalisation", s => (BinaryArrays.ReadFloats(s, Kind.What), BinaryArrays.ReadFloats(s, Kind.What)));
        if (mean.Length != features || inverseDeviation.Length != features)
            throw r.Corrupt($"its feature normalisation holds {mean.Length} and {inverseDeviation.Length} values for {features} features");
        if (!mean.Concat(inverseDeviation).All(float.IsFinite)) throw r.Corrupt("its feature normalisation is not finite");
        CaptionShape shape;
        try
        {
            options.Validate();
            shape = CaptionShape.Of(options, vocabulary.Count, features);
            shape.Validate();
        }
        catch (ArgumentException e)
        {
            throw r.Corrupt("its settings are out of range: " + e.Message, e);
        }
        // The word embedding and the output layer alone need this much: vet it before allocating the network.
        r.EnsureRemaining(4L * shape.Vocabulary * (shape.Embedding + shape.Hidden));
        var network = new CaptionNetwork(shape);
        r.Parameters(network.Parameters);
        return new ImageCaptioner(network, vocabulary, mean, inverseDeviation, options);
    }

    private static (CaptionerOptions Options, int Features) ReadSettings(BinaryReader s)
    {
        var cell = (RecurrentCell)s.ReadInt32();
        int features = s.ReadInt32(), embedding = s.ReadInt32(), hidden = s.ReadInt32(), layers = s.ReadInt32();
        var conditioning = (ImageConditioning)s.ReadInt32();
        var options = new CaptionerOptions
        {
            Cell = cell,
            EmbeddingSize = embedding,
            HiddenSize = hidden,
            Layers = layers,
            Conditioning = conditioning,
            Dropout = s.ReadSingle(),
            MaxCaptionLength = s.ReadInt32(),
            Decoding = (CaptionDecoding)s.ReadInt32(),
            BeamSize = s.ReadInt32(),
            Temperature = s.ReadSingle(),
            Seed = s.ReadInt32(),
        };
        options.Validate();
        return (options, features);
    }
}
