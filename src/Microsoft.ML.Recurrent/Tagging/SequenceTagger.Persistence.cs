using Microsoft.ML.Recurrent.Persistence;
using Microsoft.ML.Recurrent.Tagging;

namespace Microsoft.ML.Recurrent;

/// <summary>Saving and loading a tagger in the project's checked model container (<see cref="ModelFile"/>).</summary>
public sealed partial class SequenceTagger
{
    private static readonly ModelKind Kind = new("MLRNNTAG", "sequence tagger", Version: 2);

    /// <summary>
    /// Writes the network, its words, characters and labels to <paramref name="path"/> (atomically: an existing file
    /// stays as it was until the new one is complete). The file is the stream format of <see cref="Save(Stream)"/>.
    /// </summary>
    /// <param name="path">The file to write; its folder is created if needed.</param>
    public void Save(string path) => ModelFile.Save(path, Kind, Write);

    /// <summary>
    /// Writes the tagger to <paramref name="stream"/> at its current position: a checked container (magic
    /// <c>MLRNNTAG</c>, format version, length, CRC-32).
    /// </summary>
    /// <param name="stream">A writable stream; it is left open.</param>
    /// <exception cref="ArgumentException">The stream is not writable.</exception>
    public void Save(Stream stream) => ModelFile.Save(stream, Kind, Write);

    /// <summary>Reads a tagger written by <see cref="Save(string)"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a tagger, or is truncated or corrupt, or comes from a newer library.</exception>
    public static SequenceTagger Load(string path) => ModelFile.Load(path, Kind, Read);

    /// <summary>Reads a tagger written by <see cref="Save(Stream)"/> from the stream's current position, and leaves the stream just after it.</summary>
    /// <param name="stream">A readable stream; it is left open.</param>
    /// <exception cref="ArgumentException">The stream is not readable.</exception>
    /// <exception cref="InvalidDataException">The data is not a tagger, or is truncated or corrupt, or comes from a newer library.</exception>
    public static SequenceTagger Load(Stream stream) => ModelFile.Load(stream, Kind, Read);

    private void Write(ModelWriter w)
    {
        var s = Network.Shape;
        w.Section("settings", b =>
        {
            foreach (int value in new[] { (int)s.Cell, s.InputWidth, s.CharEmbedding, s.CharHidden, s.Hidden, s.Layers })
                b.Write(value);
            b.Write(s.WordInput);
            b.Write(s.CharacterFeatures);
            b.Write(s.Bidirectional);
            b.Write(s.Crf);
            b.Write(s.Dropout);
            b.Write(s.EmbeddingDropout);
            b.Write(_vocabulary.Lowercase);
        });
        w.Section("vocabulary", b =>
        {
            b.Write(_vocabulary.Words.Length);
            foreach (string word in _vocabulary.Words) b.Write(word);
            b.Write(_vocabulary.Characters.Length);
            foreach (char c in _vocabulary.Characters) b.Write((int)c);
            b.Write(_vocabulary.Labels.Length);
            foreach (string label in _vocabulary.Labels) b.Write(label);
        });
        w.Parameters(Network.Parameters);
    }

    private static SequenceTagger Read(ModelReader r)
    {
        var (options, wordInput, characterFeatures, lowercase) = r.Section("settings", b =>
        {
            var o = new SequenceTaggerOptions
            {
                Cell = (RecurrentCell)b.ReadInt32(),
                EmbeddingSize = b.ReadInt32(),
                CharacterEmbeddingSize = b.ReadInt32(),
                CharacterHiddenSize = b.ReadInt32(),
                HiddenSize = b.ReadInt32(),
                Layers = b.ReadInt32(),
            };
            bool words = b.ReadBoolean();
            bool characters = b.ReadBoolean();
            if (!characters) o.CharacterEmbeddingSize = 0;
            o.Bidirectional = b.ReadBoolean();
            o.UseCrf = b.ReadBoolean();
            o.Dropout = b.ReadSingle();
            o.EmbeddingDropout = b.ReadSingle();
            bool lower = b.ReadBoolean();
            o.LowercaseWords = lower;
            try
            {
                o.Validate();
            }
            catch (ArgumentException e)
            {
                throw r.Corrupt("its settings are out of range", e);
            }
            return (o, words, characters, lower);
        });
        var vocabulary = r.Section("vocabulary", b =>
        {
            var words = Strings(b);
            int count = b.ReadInt32();
            BinaryArrays.EnsureRemaining(b, count, Kind.What);
            var chars = new char[count];
            for (int i = 0; i < count; i++)
            {
                int c = b.ReadInt32();
                if (c is < 0 or > char.MaxValue) throw r.Corrupt($"its character {i} is {c}, not a UTF-16 code unit");
                chars[i] = (char)c;
            }
            var labels = Strings(b);
            try
            {
                return new TaggerVocabulary(words, chars, labels, lowercase);
            }
            catch (ArgumentException e)
            {
                throw r.Corrupt("its vocabulary repeats an entry", e);
            }
        });
        if (characterFeatures && options.CharacterEmbeddingSize == 0) throw r.Corrupt("its character settings disagree");
        var shape = Shape(options, vocabulary, wordInput ? 0 : options.EmbeddingSize); // a step tagger keeps its step width there
        try
        {
            shape.Validate();
        }
        catch (ArgumentException e)
        {
            throw r.Corrupt("its architecture is out of range", e);
        }
        r.EnsureRemaining(4L * shape.Vocabulary * shape.InputWidth); // the word embedding alone: vet it before allocating
        var network = new SequenceTaggerNetwork(shape);
        r.Parameters(network.Parameters);
        return new SequenceTagger(network, vocabulary, options);

        static string[] Strings(BinaryReader b)
        {
            int count = b.ReadInt32();
            BinaryArrays.EnsureRemaining(b, count, Kind.What); // at least one byte each
            return [.. Enumerable.Range(0, count).Select(_ => b.ReadString())];
        }
    }
}
