using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Onnx;

// What ML.NET 5.0.1 can feed a tagger's graph (probed with OnnxTransformer 5.0.1 and ONNX Runtime 1.31.1):
// - A variable-length vector of text (TokenizeIntoWords) reaches an ONNX string input [1, n]; ai.onnx.ml LabelEncoder
//   (keys_strings → values_int64s, default_int64) runs on it, so word ids come from the words' text inside the graph
//   and a word never seen in training keeps its spelling for the character features.
// - StringNormalizer (LOWER) is not used: without a locale attribute ONNX Runtime asks for en_US.UTF-8 and fails to
//   load where that locale is not installed (this machine has only C.UTF-8), and locale names differ between systems.
//   The pipeline lower-cases with ML.NET's NormalizeText instead, which matched string.ToLowerInvariant.
// - TokenizeIntoCharactersAsKeys on a vector of text yields one stream per row, keys of UInt16 (count 65535) whose raw
//   value is the UTF-16 code unit: STX (2), the first token's units, US (31), the next token's, ..., ETX (3); an empty
//   vector gives [2, 3]. OnnxTransformer passes it as uint16 [1, K]. Empty tokens are dropped by both of these
//   transforms (and by NormalizeText), so the graph never sees them.
// - Outputs declared [1, n] (and [1, n, L]) become variable-length vectors in ML.NET; declared [n] they would be
//   typed as one-slot vectors.
namespace Microsoft.ML.Recurrent.Tagging;

/// <summary>
/// Emits a tagger's character features into a graph: ML.NET's character stream of a sentence (see the notes above)
/// → each word's kept characters (<see cref="WordCharacters"/>) as ids [maxChars, words] through a code-unit table
/// (0 = a character not in the vocabulary) and each word's length → the character embedding
/// (<see cref="EmbeddingWeight"/>, <see cref="EmbeddingBias"/>) → a one-layer bidirectional stack over each word's
/// characters (<see cref="RecurrentStack"/> with the prefix <see cref="Prefix"/>, sequence_lens = the lengths) → its
/// final states [words, 2·charHidden], forward | backward, what the network appends to each word's embedding.
/// </summary>
internal static class CharacterFeatureGraph
{
    /// <summary>The character stack's weight prefix, and its embedding's names.</summary>
    public const string Prefix = "chars.", EmbeddingWeight = Prefix + "embedding.W", EmbeddingBias = Prefix + "embedding.b";

    /// <summary>The code-unit → character id table's initializer.</summary>
    public const string Table = Prefix + "table";

    /// <summary>The code units TokenizeIntoCharactersAsKeys puts around and between the tokens of a vector.</summary>
    public const ushort Start = 2, Separator = 31, End = 3;

    /// <summary>
    /// units [1, K] (uint16, the character stream) and <paramref name="steps"/> (a scalar int64, the number of words,
    /// at least 1) → features [steps, 2·<paramref name="charHidden"/>]. Word w reads the units between the w-th and
    /// (w+1)-th boundary (stream start, separators, stream end); were there fewer words in the stream than
    /// <paramref name="steps"/> (a token holding U+001F), the last ones repeat the stream's last word.
    /// </summary>
    public static string Emit(GraphBuilder g, string units, string steps, IReadOnlyDictionary<char, int> characters, RecurrentCell cell, int charHidden)
    {
        ArgumentNullException.ThrowIfNull(characters);
        string u = g.Squeeze(g.Cast(units, ElementType.Int64), 0);                                  // [K]
        string last = g.Add("Sub", [g.Add("Shape", [u]), g.Int64s(1)]);                              // [1]: K − 1, the end marker
        string inner = g.Add("Slice", [u, g.Int64s(1), last]);
        string separators = g.Add("Add", [g.Add("Reshape", [g.Add("NonZero", [g.Add("Equal", [inner, g.Int64(Separator)])]), g.Int64s(-1)]), g.Int64(1)]);
        string bounds = g.Add("Concat", [g.Int64s(0), separators, last], AttributeProto.Of("axis", 0L));  // [words in the stream + 1]

        string lastWord = g.Add("Sub", [g.Add("Shape", [bounds]), g.Int64s(2)]);
        string word = g.Add("Min", [g.Add("Range", [g.Int64(0), steps, g.Int64(1)]), lastWord]);   // [steps]
        string start = g.Add("Gather", [bounds, word], AttributeProto.Of("axis", 0L));
        string end = g.Add("Gather", [bounds, g.Add("Add", [word, g.Int64(1)])], AttributeProto.Of("axis", 0L));
        string length = g.Add("Sub", [g.Add("Sub", [end, start]), g.Int64(1)]);
        // An empty word (only in an empty sentence's [2, 3]) reads one unit, the end marker: the stack needs a step.
        string kept = g.Add("Max", [g.Add("Min", [length, g.Int64(WordCharacters.MaxLength)]), g.Int64(1)]);

        // position of the j-th kept unit of each word, [maxChars, steps]: start + 1 + WordCharacters.Position(length, j)
        string j = g.Unsqueeze(g.Add("Range", [g.Int64(0), g.Add("ReduceMax", [kept], AttributeProto.Of("keepdims", 0L)), g.Int64(1)]), 1);
        string head = g.Add("Add", [g.Unsqueeze(g.Add("Add", [start, g.Int64(1)]), 0), j]);
        string tail = g.Add("Add", [g.Unsqueeze(g.Add("Sub", [end, g.Int64(WordCharacters.MaxLength)]), 0), j]);
        string useTail = g.Add("And", [g.Unsqueeze(g.Add("Greater", [length, g.Int64(WordCharacters.MaxLength)]), 0),
            g.Add("GreaterOrEqual", [j, g.Int64(WordCharacters.KeptFromEachEnd)])]);
        string position = g.Add("Min", [g.Add("Where", [useTail, tail, head]), last]); // steps past a word's length read anything valid: sequence_lens masks them

        var table = CodeUnitTable(characters);
        string codes = g.Add("Min", [g.Add("Gather", [u, position], AttributeProto.Of("axis", 0L)), g.Int64(table.Length - 1)]);
        string ids = g.Add("Gather", [g.Initializer(TensorProto.Int64s(Table, [table.Length], table)), codes], AttributeProto.Of("axis", 0L));
        string x = g.Add("Add", [g.Add("Gather", [EmbeddingWeight, ids], AttributeProto.Of("axis", 0L)), EmbeddingBias]); // [maxChars, steps, E]

        var stack = new RecurrentStack(new StackShape(cell, charHidden, 1, Bidirectional: true), 0, Prefix);
        var (_, h, _) = stack.Layers(g, x, sequenceLengths: g.Cast(kept, ElementType.Int32));   // h[0] [2, steps, CH]
        return g.Add("Concat", [g.Add("Gather", [h[0], g.Int64(0)], AttributeProto.Of("axis", 0L)), g.Add("Gather", [h[0], g.Int64(1)], AttributeProto.Of("axis", 0L))],
            AttributeProto.Of("axis", 1L));
    }

    /// <summary>The character embedding and stack's weights as the initializers <see cref="Emit"/> reads.</summary>
    public static IEnumerable<TensorProto> Weights(Embedding embedding, StackedRecurrence stack)
    {
        yield return TensorProto.Floats(EmbeddingWeight, [embedding.Vocabulary, embedding.Width], embedding.Weight.Value);
        yield return TensorProto.Floats(EmbeddingBias, [embedding.Width], embedding.Bias.Value);
        foreach (var t in StackWeights.Stack(stack, null, Prefix)) yield return t;
    }

    // table[code unit] = character id for every unit up to the largest known, then one 0 that every larger unit maps to.
    private static long[] CodeUnitTable(IReadOnlyDictionary<char, int> characters)
    {
        int largest = characters.Count == 0 ? -1 : characters.Keys.Max(c => (int)c);
        var table = new long[largest + 2];
        foreach (var (c, id) in characters)
        {
            if (id < 1) throw new ArgumentException($"Character '{c}' has id {id}; ids start at 1 (0 is the unknown character).", nameof(characters));
            table[c] = id;
        }
        return table;
    }
}
