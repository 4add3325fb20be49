using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.Recurrent.Numerics;
using Microsoft.ML.Recurrent.Onnx;
using Microsoft.ML.Recurrent.Tagging;
using Microsoft.ML.Recurrent.Tests.Onnx;
using Xunit;
using Xunit.Abstractions;

namespace Microsoft.ML.Recurrent.Tests.Tagging;

/// <summary>
/// The tagger's whole graph in ONNX Runtime against the network's forward, one sentence at a time: words with and
/// without character features (known and unknown words, a capitalised word, a word longer than the character
/// limit, a one-word sentence) and float steps; every step's label probabilities and predicted label; an empty
/// sentence gives empty outputs.
/// </summary>
public sealed class TaggerGraphTests(ITestOutputHelper output)
{
    // The test network's 6 word ids (0 = unknown) and 5 character ids (0 = unknown).
    private static readonly string[] Vocabulary = ["", "the", "dog", "runs", "a", "cat"];
    private static readonly Dictionary<char, int> Characters = new() { ['t'] = 1, ['h'] = 2, ['e'] = 3, ['D'] = 4 };
    private static readonly string[][] Sentences =
        [["The", "dog", "runs"], ["a"], ["Zebra", "the", "thethethethethethethethethe-end", "cat", "Dog", "dog"], []];

    [Theory]
    [InlineData(RecurrentCell.Lstm, 1, true, true)]
    [InlineData(RecurrentCell.Gru, 2, true, true)]
    [InlineData(RecurrentCell.Rnn, 1, false, true)]
    [InlineData(RecurrentCell.Gru, 2, true, false)]
    [InlineData(RecurrentCell.Lstm, 1, true, true, true)] // with a CRF: the predicted labels are the Viterbi path
    public void Word_tagger_graph_matches_the_network(RecurrentCell cell, int layers, bool bidirectional, bool characters, bool crf = false)
    {
        var network = TaggerGradientTests.Random(cell, layers, bidirectional, characters, crf: crf);
        byte[] onnx = TaggerWeights.ToOnnx(network, Vocabulary[1..], characters ? Characters : null);
        OnnxTestModels.Check(output, onnx);
        using var session = OnnxTestModels.Session(onnx);
        foreach (var sentence in Sentences)
        {
            var lower = sentence.Select(w => w.ToLowerInvariant()).ToArray();
            var inputs = new List<NamedOnnxValue> { NamedOnnxValue.CreateFromTensor(TaggerGraph.Words, new DenseTensor<string>(lower, [1, lower.Length])) };
            if (characters)
            {
                ushort[] units = [CharacterFeatureGraph.Start, .. string.Join((char)CharacterFeatureGraph.Separator, sentence).Select(c => (ushort)c), CharacterFeatureGraph.End];
                inputs.Add(NamedOnnxValue.CreateFromTensor(TaggerGraph.Units, new DenseTensor<ushort>(units, [1, units.Length])));
            }
            int[] ids = [.. lower.Select(w => Math.Max(0, Array.IndexOf(Vocabulary, w, 1)))];
            int[][] chars = characters ? [.. sentence.Select(w => WordCharacters.Ids(w, Characters))] : [];
            AssertSame(network, session, inputs, sentence.Length, ws => network.Forward(ws, ids, [], chars, [ids.Length], ids.Length, null), string.Join(" ", sentence));
        }
    }

    [Fact]
    public void Float_step_tagger_graph_matches_the_network()
    {
        var network = TaggerGradientTests.Random(RecurrentCell.Gru, 1, true, characters: false, words: false);
        byte[] onnx = TaggerWeights.ToOnnx(network, null, null);
        OnnxTestModels.Check(output, onnx);
        using var session = OnnxTestModels.Session(onnx);
        var random = new RandomSource(5);
        foreach (int steps in new[] { 4, 1, 0 })
        {
            float[] values = [.. Enumerable.Range(0, steps * network.Shape.InputWidth).Select(_ => random.NextFloat() * 2 - 1)];
            var inputs = new List<NamedOnnxValue> { NamedOnnxValue.CreateFromTensor(TaggerGraph.Steps, new DenseTensor<float>(values, [1, values.Length])) };
            AssertSame(network, session, inputs, steps, ws => network.Forward(ws, [], values, [], [steps], steps, null), $"{steps} steps");
        }
    }

    [Fact]
    public void A_vocabulary_of_another_size_is_refused()
    {
        var network = TaggerGradientTests.Random(RecurrentCell.Gru, 1, true, characters: false);
        var e = Assert.Throws<ArgumentException>("words", () => TaggerGraph.Build(network.Shape, Vocabulary[1..4], null));
        Assert.Contains("3 words", e.Message);
    }

    // ONNX Runtime's Score and predicted indices against softmax and argmax of the network's logits (none for 0 steps).
    private static void AssertSame(SequenceTaggerNetwork network, InferenceSession session, List<NamedOnnxValue> inputs, int steps,
        Action<TaggerWorkspace> forward, string what)
    {
        using var results = session.Run(inputs);
        var score = results.Single(r => r.Name == TaggerGraph.Score).AsTensor<float>();
        var predicted = results.Single(r => r.Name == TaggerGraph.PredictedIndex).AsTensor<uint>();
        int labels = network.Shape.Labels;
        Assert.Equal([1, steps, labels], score.Dimensions.ToArray());
        Assert.Equal([1, steps], predicted.Dimensions.ToArray());
        if (steps == 0) return;
        var ws = network.CreateWorkspace(steps, 1);
        forward(ws);
        var theirs = score.ToArray();
        var ours = new float[steps * labels];
        network.Decode(ws, ws.Best);
        for (int t = 0; t < steps; t++)
        {
            SoftmaxCrossEntropy.Softmax(ws.Logits.AsSpan(t * labels, labels), ours.AsSpan(t * labels, labels), 1f);
            Assert.True(ws.Best[t] == predicted[0, t], $"'{what}' step {t}: ours label {ws.Best[t]}, ONNX Runtime {predicted[0, t]}");
        }
        for (int i = 0; i < ours.Length; i++)
            Assert.True(Math.Abs(ours[i] - theirs[i]) <= 1e-5f, $"'{what}' score {i}: ours {ours[i]} vs ONNX Runtime {theirs[i]}");
    }
}
