using Microsoft.ML.Recurrent.Onnx;

namespace Microsoft.ML.Recurrent.Tagging;

/// <summary>
/// A <see cref="SequenceTaggerNetwork"/> as an ONNX graph over one sentence, in the shapes ML.NET's OnnxTransformer
/// passes (see the notes in <see cref="CharacterFeatureGraph"/>). Word input: <see cref="Words"/>, the tokens as
/// text [1, steps] (lower-cased when the tagger lower-cases its words), become word ids through an ai.onnx.ml LabelEncoder over the vocabulary (a word it
/// lacks is id 0, the unknown word), and with character features <see cref="Units"/>, ML.NET's character stream of
/// the tokens as they were written (uint16 [1, K]), gives each word its characters' features
/// (<see cref="CharacterFeatureGraph"/>). Float input: <see cref="Steps"/> [1, steps · width]. Then the main stack
/// (<see cref="RecurrentStack"/>, one bidirectional node per layer when bidirectional) and the output layer give each
/// step's label scores: <see cref="Score"/> (softmax, [1, steps, labels]) and <see cref="PredictedIndex"/> (uint32
/// [1, steps], 0-based: the most likely label at each step). An empty sentence runs as one unknown word (one step
/// of zeros) and gives empty outputs.
/// </summary>
internal static class TaggerGraph
{
    public const string Name = "sequence_tagger";
    public const string Words = "rnn_words", Units = "rnn_units", Steps = "rnn_steps";
    public const string Score = "Score", PredictedIndex = "rnn_predicted_indices";

    /// <param name="shape">The network's architecture.</param>
    /// <param name="words">Word input: the words of ids 1, 2, … (id 0, the unknown word, has none).</param>
    /// <param name="characters">With character features: each character's id (0 = unknown).</param>
    public static GraphBuilder Build(TaggerShape shape, IReadOnlyList<string>? words, IReadOnlyDictionary<char, int>? characters)
    {
        var g = new GraphBuilder(Name);
        string x, steps;
        if (shape.WordInput)
        {
            ArgumentNullException.ThrowIfNull(words);
            if (words.Count + 1 != shape.Vocabulary)
                throw new ArgumentException($"The vocabulary has {words.Count} words and the unknown word; the network embeds {shape.Vocabulary}.", nameof(words));
            g.Graph.Inputs.Add(new ValueInfoProto(Words, ElementType.String, [1, "steps"]));
            string ids = g.Fresh("word_ids");
            g.Graph.Nodes.Add(new NodeProto("LabelEncoder", g.Fresh("LabelEncoder_node"), [g.Squeeze(Words, 0)], [ids],
                [AttributeProto.Of("keys_strings", words.ToArray()),
                 AttributeProto.Of("values_int64s", [.. Enumerable.Range(1, words.Count).Select(i => (long)i)]),
                 AttributeProto.Of("default_int64", 0L)], ModelProto.MlDomain));
            steps = g.Add("Shape", [ids]);
            ids = AtLeastOne(g, ids, g.Int64s(0), steps);
            x = g.Add("Add", [g.Add("Gather", [TaggerWeights.Embedding, ids], AttributeProto.Of("axis", 0L)), TaggerWeights.EmbeddingBias]); // [n, E]
            if (shape.CharacterFeatures)
            {
                ArgumentNullException.ThrowIfNull(characters);
                g.Graph.Inputs.Add(new ValueInfoProto(Units, ElementType.UInt16, [1, "units"]));
                string count = g.Add("Gather", [g.Add("Shape", [ids]), g.Int64(0)], AttributeProto.Of("axis", 0L));
                string features = CharacterFeatureGraph.Emit(g, Units, count, characters, shape.Cell, shape.CharHidden);
                x = g.Add("Concat", [x, features], AttributeProto.Of("axis", 1L));
            }
        }
        else
        {
            g.Graph.Inputs.Add(new ValueInfoProto(Steps, ElementType.Float, [1, "values"]));
            x = g.Add("Reshape", [g.Squeeze(Steps, 0), g.Int64s(-1, shape.InputWidth)]);
            steps = g.Add("Gather", [g.Add("Shape", [x]), g.Int64s(0)], AttributeProto.Of("axis", 0L));
            x = AtLeastOne(g, x, g.Add("Reshape", [g.Floats(new float[shape.InputWidth]), g.Int64s(1, shape.InputWidth)]), steps);
        }
        var (outputs, _, _) = new RecurrentStack(shape.Stack).Layers(g, g.Unsqueeze(x, 1)); // [n, 1, width] -> [n, 1, D·H]
        string padded = g.Add("Add", [g.Add("MatMul", [g.Squeeze(outputs, 1), TaggerWeights.OutputWeight]), TaggerWeights.OutputBias]); // [max(n, 1), L]
        string logits = g.Add("Slice", [padded, g.Int64s(0), steps, g.Int64s(0)]); // the real steps only: none for an empty sentence
        g.AddNamed("Unsqueeze", [g.Add("Softmax", [logits], AttributeProto.Of("axis", 1L)), g.Int64s(0)], Score);
        // Each step's most probable label, or with a CRF the best sequence (Viterbi, run on at least one step and cut to n).
        string best = shape.Crf
            ? g.Add("Slice", [ViterbiGraph.Emit(g, padded, shape.Labels), g.Int64s(0), steps, g.Int64s(0)])
            : g.Add("ArgMax", [logits], AttributeProto.Of("axis", 1L), AttributeProto.Of("keepdims", 0L));
        g.AddNamed("Cast", [g.Unsqueeze(best, 0)], PredictedIndex, AttributeProto.Of("to", (long)ElementType.UInt32));
        // [1, steps, ...]: a leading 1 makes ML.NET type them as variable-length vectors
        g.Graph.Outputs.Add(new ValueInfoProto(Score, ElementType.Float, [1, "steps", shape.Labels]));
        g.Graph.Outputs.Add(new ValueInfoProto(PredictedIndex, ElementType.UInt32, [1, "steps"]));
        return g;
    }

    // rows [n, ...] -> the same rows, or the one padding row when n = 0: Slice(Concat(rows, padding), 0, max(n, 1)).
    private static string AtLeastOne(GraphBuilder g, string rows, string padding, string count)
        => g.Add("Slice", [g.Add("Concat", [rows, padding], AttributeProto.Of("axis", 0L)), g.Int64s(0), g.Add("Max", [count, g.Int64s(1)]), g.Int64s(0)]);
}
