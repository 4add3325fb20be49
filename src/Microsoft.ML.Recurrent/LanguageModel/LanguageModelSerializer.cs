using System.Runtime.InteropServices;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Persistence;

namespace Microsoft.ML.Recurrent.LanguageModel;

/// <summary>
/// Reads and writes a language network's shape and vocabulary, and (<see cref="Write"/>/<see cref="Read"/>,
/// the version-1 layout that training checkpoints keep) its weights as one flat array.
/// </summary>
internal static class LanguageModelSerializer
{
    public static void Write(BinaryWriter w, CharVocabulary vocabulary, LanguageNetwork network)
    {
        WriteShape(w, vocabulary, network.Shape);
        BinaryArrays.WriteFloats(w, network.Parameters.Values);
    }

    public static (CharVocabulary Vocabulary, LanguageNetwork Network) Read(BinaryReader r, string what)
    {
        try
        {
            var (vocabulary, shape) = ReadShape(r, what);
            long expected = LanguageNetwork.CountParameters(shape);
            int stored = r.ReadInt32();
            if (stored != expected)
                throw new InvalidDataException($"The {what} declares {stored} weights but its shape ({shape.Cell}, {shape.Layers}×{shape.Hidden}, {shape.Vocabulary} characters) needs {expected}.");
            BinaryArrays.EnsureRemaining(r, 4L * stored, what);
            var network = new LanguageNetwork(shape);
            BinaryArrays.ReadFloatsInto(r, network.Parameters.Values);
            foreach (float v in network.Parameters.Values)
                if (!float.IsFinite(v)) throw new InvalidDataException($"The {what} holds non-finite weights.");
            return (vocabulary, network);
        }
        catch (Exception e) when (e is EndOfStreamException or ArgumentException)
        {
            throw new InvalidDataException($"The {what} is corrupt: {e.Message}", e);
        }
    }

    /// <summary>Cell, sizes, dropout and the vocabulary's code points.</summary>
    public static void WriteShape(BinaryWriter w, CharVocabulary vocabulary, LanguageModelShape s)
    {
        w.Write((int)s.Cell);
        w.Write(s.Hidden);
        w.Write(s.Layers);
        w.Write(s.Dropout);
        w.Write(vocabulary.Count);
        foreach (int cp in vocabulary.CodePoints) w.Write(cp);
    }

    /// <summary>Reads what <see cref="WriteShape"/> wrote; an invalid shape or vocabulary throws <see cref="ArgumentException"/>.</summary>
    public static (CharVocabulary Vocabulary, LanguageModelShape Shape) ReadShape(BinaryReader r, string what)
    {
        var cell = (RecurrentCell)r.ReadInt32();
        int hidden = r.ReadInt32(), layers = r.ReadInt32();
        float dropout = r.ReadSingle();
        int vocabularySize = r.ReadInt32();
        var shape = new LanguageModelShape(cell, vocabularySize, hidden, layers, dropout);
        shape.Validate();
        BinaryArrays.EnsureRemaining(r, 4L * vocabularySize, what);
        var codePoints = new int[vocabularySize];
        for (int i = 0; i < codePoints.Length; i++) codePoints[i] = r.ReadInt32();
        return (new CharVocabulary(codePoints), shape);
    }
}
