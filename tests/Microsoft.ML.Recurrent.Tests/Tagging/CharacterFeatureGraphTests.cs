using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Numerics;
using Microsoft.ML.Recurrent.Onnx;
using Microsoft.ML.Recurrent.Tagging;
using Microsoft.ML.Recurrent.Tests.Layers;
using Microsoft.ML.Recurrent.Tests.Onnx;
using Xunit;
using Xunit.Abstractions;

namespace Microsoft.ML.Recurrent.Tests.Tagging;

/// <summary>
/// The character-feature subgraph in ONNX Runtime against our own character embedding and one-layer bidirectional
/// stack (prefix "chars."), on words of different lengths (1 character, a word of exactly the maximum, longer words
/// cut to their first and last characters, a character the vocabulary lacks); the character stream it reads as
/// ML.NET's character tokenizer writes it; and the rule that picks a word's characters.
/// </summary>
public sealed class CharacterFeatureGraphTests(ITestOutputHelper output)
{
    private const int EmbeddingWidth = 5, CharHidden = 3;
    private const string Units = "units", Features = "features";
    private static readonly Dictionary<char, int> Characters = "abcdefghijklmnopqrstuvwxyzDT-".Select((c, i) => (c, i + 1)).ToDictionary(p => p.c, p => p.Item2);

    // 'é' is not in the vocabulary; the 24-letter word is kept whole, the 31- and 40-letter words are cut.
    private static readonly string[] Words = ["a", "Dog", "runs", "é", "internationalization-wise", "abcdefghijklmnopqrstuvwx", "x",
        "antidisestablishmentarianism-and-others"];

    [Theory]
    [MemberData(nameof(StackedRecurrenceTests.Cells), MemberType = typeof(StackedRecurrenceTests))]
    public void Features_match_our_character_stack_on_words_of_different_lengths(RecurrentCell cell)
    {
        var (embedding, stack) = RandomCharacterNetwork(cell);
        var ours = OurFeatures(embedding, stack, Words);
        using var session = OnnxTestModels.Session(Graph(embedding, stack, cell, Words.Length));
        var theirs = Run(session, Stream(Words));

        Assert.Equal(ours.Length, theirs.Length);
        for (int i = 0; i < ours.Length; i++)
            Assert.True(Math.Abs(ours[i] - theirs[i]) <= 1e-5f, $"feature {i} (word {i / (2 * CharHidden)}): ours {ours[i]} vs ONNX Runtime {theirs[i]}");
        Assert.Contains(ours, v => Math.Abs(v) > 0.05f); // the features are not all near zero
    }

    [Fact]
    public void An_empty_sentence_stream_gives_one_row_of_features()
    {
        var (embedding, stack) = RandomCharacterNetwork(RecurrentCell.Lstm);
        using var session = OnnxTestModels.Session(Graph(embedding, stack, RecurrentCell.Lstm, 1));
        Assert.Equal(2 * CharHidden, Run(session, Stream([])).Length);
    }

    [Fact]
    public void ML_NET_character_tokenizer_writes_the_stream_the_graph_reads()
    {
        var ml = new MLContext(seed: 0);
        string[][] sentences = [["The", "dog"], ["A"], []];
        var data = ml.Data.LoadFromEnumerable(sentences.Select(s => new TokensRow { Tokens = s }));
        var chars = ml.Transforms.Text.TokenizeIntoCharactersAsKeys("Chars", nameof(TokensRow.Tokens)).Fit(data).Transform(data);
        var type = Assert.IsType<KeyDataViewType>(((VectorDataViewType)chars.Schema["Chars"].Type).ItemType);
        Assert.Equal(typeof(ushort), type.RawType); // the graph's input is uint16

        using var cursor = chars.GetRowCursor(chars.Schema);
        var getter = cursor.GetGetter<VBuffer<ushort>>(chars.Schema["Chars"]);
        VBuffer<ushort> keys = default;
        foreach (var sentence in sentences)
        {
            Assert.True(cursor.MoveNext());
            getter(ref keys);
            Assert.Equal(Stream(sentence), keys.DenseValues().ToArray());
        }
    }

    [Fact]
    public void A_long_word_keeps_its_first_and_last_characters()
    {
        const string word = "abcdefghijklmnopqrstuvwxyzabcd"; // 30 letters
        Assert.Equal(WordCharacters.MaxLength, WordCharacters.Ids(word, Characters).Length);
        Assert.Equal(Ids(word[..12] + word[^12..]), WordCharacters.Ids(word, Characters));
        Assert.Equal(Ids(word[..24]), WordCharacters.Ids(word[..24], Characters));
        Assert.Equal([Characters['a'], 0, Characters['b']], WordCharacters.Ids("aéb", Characters));
        Assert.Equal([0], WordCharacters.Ids("", Characters)); // an empty word reads as one unknown character
    }

    [Fact]
    public void A_character_id_of_zero_is_refused()
    {
        var g = new GraphBuilder("chars");
        var e = Assert.Throws<ArgumentException>("characters",
            () => CharacterFeatureGraph.Emit(g, Units, g.Int64(1), new Dictionary<char, int> { ['a'] = 0 }, RecurrentCell.Gru, CharHidden));
        Assert.Contains("'a' has id 0", e.Message);
    }

    private static int[] Ids(string word) => [.. word.Select(c => Characters[c])];

    private static (Embedding Embedding, StackedRecurrence Stack) RandomCharacterNetwork(RecurrentCell cell)
    {
        var store = new ParameterStore();
        var embedding = new Embedding(store, "chars.embedding", Characters.Count + 1, EmbeddingWidth);
        var stack = new StackedRecurrence(store, new StackShape(cell, CharHidden, 1, Bidirectional: true), EmbeddingWidth, prefix: CharacterFeatureGraph.Prefix);
        store.Seal();
        var random = new RandomSource(7);
        for (int i = 0; i < store.Values.Length; i++) store.Values[i] = random.NextFloat() - 0.5f;
        return (embedding, stack);
    }

    // Our engine: each word's kept characters embedded, time-major and right-padded, through the stack; its final
    // forward and backward states side by side, [words, 2·CH].
    private static float[] OurFeatures(Embedding embedding, StackedRecurrence stack, string[] words)
    {
        var ids = words.Select(w => WordCharacters.Ids(w, Characters)).ToArray();
        int steps = ids.Max(i => i.Length), batch = words.Length;
        var ws = stack.CreateWorkspace(steps, batch);
        var x = ws.Input(steps);
        x.Clear();
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < ids[b].Length; t++)
                embedding.Forward(ids[b].AsSpan(t, 1), x.Slice((t * batch + b) * EmbeddingWidth, EmbeddingWidth));
        stack.Forward(ws, null, steps, null, [.. ids.Select(i => i.Length)]);
        var forward = new float[batch * CharHidden];
        var backward = new float[batch * CharHidden];
        var cellState = stack.Shape.Cell == RecurrentCell.Lstm ? new float[batch * CharHidden] : []; // read, not compared
        stack.FinalStates(ws, 0, 0, forward, cellState);
        stack.FinalStates(ws, 0, 1, backward, cellState);
        var features = new float[batch * 2 * CharHidden];
        for (int b = 0; b < batch; b++)
        {
            forward.AsSpan(b * CharHidden, CharHidden).CopyTo(features.AsSpan(b * 2 * CharHidden));
            backward.AsSpan(b * CharHidden, CharHidden).CopyTo(features.AsSpan(b * 2 * CharHidden + CharHidden));
        }
        return features;
    }

    private byte[] Graph(Embedding embedding, StackedRecurrence stack, RecurrentCell cell, int words)
    {
        var g = new GraphBuilder("character_features");
        g.Graph.Inputs.Add(new ValueInfoProto(Units, ElementType.UInt16, [1, "units"]));
        g.AddNamed("Identity", [CharacterFeatureGraph.Emit(g, Units, g.Int64(words), Characters, cell, CharHidden)], Features);
        g.Graph.Outputs.Add(new ValueInfoProto(Features, ElementType.Float, [words, 2 * CharHidden]));
        g.Graph.Initializers.AddRange(CharacterFeatureGraph.Weights(embedding, stack));
        byte[] onnx = OnnxFormat.Write(new ModelProto(g.Graph));
        OnnxTestModels.Check(output, onnx);
        return onnx;
    }

    private static float[] Run(InferenceSession session, ushort[] units)
    {
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(Units, new DenseTensor<ushort>(units, [1, units.Length]))]);
        return [.. results.Single().AsEnumerable<float>()];
    }

    // The stream ML.NET's TokenizeIntoCharactersAsKeys writes for a vector of tokens: STX, the tokens' units separated by US, ETX.
    private static ushort[] Stream(string[] words)
        => [CharacterFeatureGraph.Start, .. string.Join((char)CharacterFeatureGraph.Separator, words).Select(c => (ushort)c), CharacterFeatureGraph.End];

    private sealed class TokensRow
    {
        [VectorType]
        public string[] Tokens { get; set; } = [];
    }
}
