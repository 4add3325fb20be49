using Microsoft.ML.Recurrent.Persistence;
using Microsoft.ML.Recurrent.Translation;

namespace Microsoft.ML.Recurrent;

/// <summary>Saving and loading a translator in the project's checked model container (<see cref="ModelFile"/>).</summary>
public sealed partial class SequenceTranslator
{
    private static readonly ModelKind Kind = new("MLRNNS2S", "sequence translator", Version: 2); // 2: the sectioned payload ModelWriter writes (1 reads as unsectioned)

    /// <summary>
    /// Writes the network and its vocabularies to <paramref name="path"/> (atomically: an existing file stays as it was
    /// until the new one is complete). The file is the stream format of <see cref="Save(Stream)"/>.
    /// </summary>
    /// <param name="path">The file to write; its folder is created if needed.</param>
    public void Save(string path) => ModelFile.Save(path, Kind, Write);

    /// <summary>
    /// Writes the translator to <paramref name="stream"/> at its current position: a checked container (magic
    /// <c>MLRNNS2S</c>, format version, length, CRC-32).
    /// </summary>
    /// <param name="stream">A writable stream; it is left open.</param>
    /// <exception cref="ArgumentException">The stream is not writable.</exception>
    public void Save(Stream stream) => ModelFile.Save(stream, Kind, Write);

    /// <summary>Reads a translator written by <see cref="Save(string)"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a translator, or is truncated or corrupt, or comes from a newer library.</exception>
    public static SequenceTranslator Load(string path) => ModelFile.Load(path, Kind, Read);

    /// <summary>Reads a translator written by <see cref="Save(Stream)"/> from the stream's current position, and leaves the stream just after it.</summary>
    /// <param name="stream">A readable stream; it is left open.</param>
    /// <exception cref="ArgumentException">The stream is not readable.</exception>
    /// <exception cref="InvalidDataException">The data is not a translator, or is truncated or corrupt, or comes from a newer library.</exception>
    public static SequenceTranslator Load(Stream stream) => ModelFile.Load(stream, Kind, Read);

    private void Write(ModelWriter w)
    {
        var o = Options;
        w.Section("settings", b =>
        {
            foreach (int value in new[] { (int)o.Cell, o.HiddenSize, o.Layers, o.SourceEmbeddingSize, o.TargetEmbeddingSize, (int)o.Attention,
                o.EffectiveAttentionSize, o.MinTokenCount, o.MaxSourceLength, o.MaxTargetLength })
                b.Write(value);
            b.Write(o.Bidirectional);
            b.Write(o.InputFeeding);
            b.Write(o.TieEmbeddings);
            b.Write(o.Dropout);
        });
        w.Section("vocabulary", b =>
        {
            foreach (var side in new[] { _vocabulary.Source, _vocabulary.Target })
            {
                b.Write(side.Length);
                foreach (string token in side) b.Write(token);
            }
        });
        w.Parameters(Network.Parameters);
    }

    private static SequenceTranslator Read(ModelReader r)
    {
        var options = r.Section("settings", b =>
        {
            var o = new SequenceTranslatorOptions
            {
                Cell = (RecurrentCell)b.ReadInt32(),
                HiddenSize = b.ReadInt32(),
                Layers = b.ReadInt32(),
                SourceEmbeddingSize = b.ReadInt32(),
                TargetEmbeddingSize = b.ReadInt32(),
                Attention = (AttentionScore)b.ReadInt32(),
                AttentionSize = b.ReadInt32(),
                MinTokenCount = b.ReadInt32(),
                MaxSourceLength = b.ReadInt32(),
                MaxTargetLength = b.ReadInt32(),
                Bidirectional = b.ReadBoolean(),
                InputFeeding = b.ReadBoolean(),
                TieEmbeddings = b.ReadBoolean(),
                Dropout = b.ReadSingle(),
            };
            try
            {
                o.Validate();
            }
            catch (ArgumentException e)
            {
                throw r.Corrupt("its settings are out of range", e);
            }
            return o;
        });
        var vocabulary = r.Section("vocabulary", b =>
        {
            var source = Strings(b);
            var target = Strings(b);
            try
            {
                return new TranslatorVocabulary(source, target);
            }
            catch (ArgumentException e)
            {
                throw r.Corrupt("its vocabulary repeats or empties an entry", e);
            }
        });
        var shape = Shape(options, vocabulary);
        try
        {
            shape.Validate();
        }
        catch (ArgumentException e)
        {
            throw r.Corrupt("its architecture is out of range", e);
        }
        r.EnsureRemaining(4L * (shape.SourceVocabulary * shape.SourceEmbedding + shape.TargetVocabulary * shape.TargetEmbedding)); // vet before allocating
        var network = new TranslatorNetwork(shape);
        r.Parameters(network.Parameters);
        return new SequenceTranslator(network, vocabulary, options);

        static string[] Strings(BinaryReader b)
        {
            int count = b.ReadInt32();
            BinaryArrays.EnsureRemaining(b, count, Kind.What); // at least one byte each
            return [.. Enumerable.Range(0, count).Select(_ => b.ReadString())];
        }
    }
}
