using Microsoft.ML.Recurrent.Models;

namespace Microsoft.ML.Recurrent;

/// <summary>Saving and loading a captioner in the project's checked file container (<see cref="ModelFile"/>).</summary>
public sealed partial class ImageCaptioner
{
    private const string FileMagic = "MLRNNCAP";

    /// <summary>
    /// Writes the network, vocabulary, feature normalisation and decoding settings to <paramref name="path"/>
    /// (atomically); training-only settings are not kept.
    /// </summary>
    public void Save(string path) => ModelFile.WriteAtomic(path, FileMagic, w =>
    {
        var s = _network.Shape;
        foreach (int value in new[] { (int)s.Cell, s.Features, s.Embedding, s.Hidden, s.Layers, (int)s.Conditioning })
            w.Write(value);
        w.Write(s.Dropout);
        w.Write(Options.MaxCaptionLength);
        w.Write((int)Options.Decoding);
        w.Write(Options.BeamSize);
        w.Write(Options.Temperature);
        w.Write(Options.EffectiveSeed);
        var words = _vocabulary.Words.Skip(3).ToList(); // the reserved ids are implied
        w.Write(words.Count);
        foreach (string word in words) w.Write(word);
        NetworkSerializer.WriteFloats(w, _mean);
        NetworkSerializer.WriteFloats(w, _inverseDeviation);
        NetworkSerializer.WriteFloats(w, _network.Parameters.Values);
    });

    /// <summary>Reads a captioner written by <see cref="Save"/>; a truncated or corrupt file throws <see cref="InvalidDataException"/>.</summary>
    public static ImageCaptioner Load(string path)
    {
        const string what = "image captioner";
        using var r = ModelFile.OpenVerified(path, FileMagic, what);
        try
        {
            var cell = (RecurrentCell)r.ReadInt32();
            int features = r.ReadInt32(), embedding = r.ReadInt32(), hidden = r.ReadInt32(), layers = r.ReadInt32();
            var conditioning = (ImageConditioning)r.ReadInt32();
            float dropout = r.ReadSingle();
            var options = new CaptionerOptions
            {
                Cell = cell,
                EmbeddingSize = embedding,
                HiddenSize = hidden,
                Layers = layers,
                Conditioning = conditioning,
                Dropout = dropout,
                MaxCaptionLength = r.ReadInt32(),
                Decoding = (CaptionDecoding)r.ReadInt32(),
                BeamSize = r.ReadInt32(),
                Temperature = r.ReadSingle(),
                Seed = r.ReadInt32(),
            };
            options.Validate();
            int count = r.ReadInt32();
            NetworkSerializer.EnsureRemaining(r, count, what); // at least one byte per word
            var vocabulary = new WordVocabulary(Enumerable.Range(0, count).Select(_ => r.ReadString()).ToList());
            var network = new CaptionNetwork(new CaptionShape(cell, vocabulary.Count, features, embedding, hidden, layers, dropout, conditioning));
            var mean = NetworkSerializer.ReadFloats(r, what);
            var inverseDeviation = NetworkSerializer.ReadFloats(r, what);
            var weights = NetworkSerializer.ReadFloats(r, what);
            if (mean.Length != features || inverseDeviation.Length != features || weights.Length != network.Parameters.Count)
                throw new InvalidDataException($"The {what} is corrupt: its arrays do not match its shape.");
            if (!weights.Concat(mean).Concat(inverseDeviation).All(float.IsFinite))
                throw new InvalidDataException($"The {what} holds non-finite weights.");
            weights.CopyTo(network.Parameters.Values, 0);
            return new ImageCaptioner(network, vocabulary, mean, inverseDeviation, options);
        }
        catch (Exception e) when (e is EndOfStreamException or ArgumentException)
        {
            throw new InvalidDataException($"The {what} is corrupt: {e.Message}", e);
        }
    }
}
