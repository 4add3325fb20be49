using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Numerics;
using Microsoft.ML.Recurrent.Tagging;
using Microsoft.ML.Recurrent.Tests.Layers;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Tagging;

/// <summary>
/// Finite differences against backpropagation for every parameter of the tagger — word embedding, the character
/// encoder, the main stack, the output layer — with a per-step softmax loss on a padded batch of unequal lengths,
/// and the checks that padding reaches nothing and that batching changes nothing.
/// </summary>
public class TaggerGradientTests
{
    private static readonly int[] Lengths = [4, 1, 3];
    private const int Steps = 4, Labels = 3, Words = 6, Characters = 5;

    internal static SequenceTaggerNetwork Random(RecurrentCell cell, int layers, bool bidirectional, bool characters, bool words = true,
        float dropout = 0f, float embeddingDropout = 0f, int seed = 11, bool crf = false)
    {
        var net = new SequenceTaggerNetwork(new TaggerShape(cell, words ? Words : 0, 3, characters ? Characters : 0, 2, 2, 3, layers,
            bidirectional, Labels, crf, dropout, embeddingDropout));
        net.Initialize(new RandomSource(seed));
        // larger than the initialisation so that every gradient is well away from zero
        var v = net.Parameters.Values;
        var random = new RandomSource(seed + 1);
        for (int i = 0; i < v.Length; i++) v[i] += (random.NextFloat() - 0.5f) * 0.8f;
        return net;
    }

    [Theory]
    [InlineData(RecurrentCell.Lstm, 1, true, true, true, 0f)]
    [InlineData(RecurrentCell.Gru, 2, true, true, true, 0f)]
    [InlineData(RecurrentCell.Rnn, 1, false, true, true, 0f)]
    [InlineData(RecurrentCell.Lstm, 2, true, false, true, 0f)]
    [InlineData(RecurrentCell.Gru, 1, true, false, false, 0f)] // float steps
    [InlineData(RecurrentCell.Lstm, 2, true, true, true, 0.3f)] // dropout on the input, between layers and on the top outputs
    public void Every_parameter_gradient_matches_finite_differences(RecurrentCell cell, int layers, bool bidirectional, bool characters,
        bool words, float dropout)
    {
        var net = Random(cell, layers, bidirectional, characters, words, dropout, dropout);
        var batch = Batch(words, characters, seed: 3);
        DropoutSeed? seed = dropout > 0 ? new DropoutSeed(7, 0) : null;
        net.Parameters.ZeroGradients();
        var ws = net.CreateWorkspace(Steps, Lengths.Length);
        Forward(net, ws, batch, seed);
        LossBackward(ws, batch.Targets);
        net.Backward(ws, batch.Ids);
        var analytic = (float[])net.Parameters.Gradients.Clone();
        int checkedCount = FiniteDifferences.AssertParameters(net.Parameters, analytic, () => Loss(net, batch, seed));
        Assert.Equal(net.Parameters.Count, checkedCount);
        Assert.Contains(analytic, g => Math.Abs(g) > 1e-2);
        if (characters) // the character encoder learns: its embedding has gradients
        {
            var chars = net.Characters!.Embedding.Weight;
            Assert.Contains(analytic.AsSpan(chars.Offset, chars.Length).ToArray(), g => Math.Abs(g) > 1e-3);
        }
    }

    [Fact]
    public void Padded_steps_change_neither_scores_nor_gradients()
    {
        var net = Random(RecurrentCell.Lstm, 2, true, characters: true);
        var a = Batch(true, true, seed: 3);
        var b = Batch(true, true, seed: 3);
        for (int t = 0; t < Steps; t++)
            for (int s = 0; s < Lengths.Length; s++)
                if (t >= Lengths[s])
                {
                    b.Ids[t * Lengths.Length + s] = 5; // other padding words, with characters that must not be read
                    b.Characters[t * Lengths.Length + s] = [4, 4, 4];
                }
        var (scoresA, gradA) = Run(net, a);
        var (scoresB, gradB) = Run(net, b);
        Assert.Equal(scoresA, scoresB);
        // the padding word 5's embedding row is the only place the two may differ (its gradient is zero in both)
        Assert.Equal(gradA, gradB);
    }

    [Fact]
    public void A_sentence_gets_the_same_scores_alone_or_batched_with_others()
    {
        var net = Random(RecurrentCell.Gru, 2, true, characters: true);
        var batch = Batch(true, true, seed: 5);
        var ws = net.CreateWorkspace(Steps, Lengths.Length);
        Forward(net, ws, batch, null);
        for (int s = 0; s < Lengths.Length; s++)
        {
            int n = Lengths[s];
            int[] ids = [.. Enumerable.Range(0, n).Select(t => batch.Ids[t * Lengths.Length + s])];
            int[]?[] chars = [.. Enumerable.Range(0, n).Select(t => batch.Characters[t * Lengths.Length + s])];
            var alone = net.CreateWorkspace(n, 1);
            net.Forward(alone, ids, [], chars, [n], n, null);
            for (int t = 0; t < n; t++)
                for (int l = 0; l < Labels; l++)
                    Assert.Equal(alone.Logits[t * Labels + l], ws.Logits[(t * Lengths.Length + s) * Labels + l], 5);
        }
    }

    [Fact]
    public void Character_features_are_the_same_across_chunks_of_words()
    {
        // 3 sentences of 120 words: 360 words read in a chunk of 256 and one of 128 (sorted by length), against each alone
        var net = Random(RecurrentCell.Lstm, 1, true, characters: true);
        const int steps = 120, sentences = 3;
        var random = new RandomSource(9);
        var ids = Enumerable.Range(0, steps * sentences).Select(_ => (int)(random.NextUInt() % Words)).ToArray();
        var chars = Enumerable.Range(0, steps * sentences)
            .Select(_ => (int[]?)[.. Enumerable.Range(0, 1 + (int)(random.NextUInt() % 9)).Select(_ => (int)(random.NextUInt() % Characters))]).ToArray();
        var ws = net.CreateWorkspace(steps, sentences);
        net.Forward(ws, ids, [], chars, [steps, steps, steps], steps, null);
        Assert.Equal(2, ws.Characters!.Chunks.Count);
        var alone = net.CreateWorkspace(steps, 1);
        for (int s = 0; s < sentences; s++)
        {
            net.Forward(alone, [.. Enumerable.Range(0, steps).Select(t => ids[t * sentences + s])], [],
                [.. Enumerable.Range(0, steps).Select(t => chars[t * sentences + s])], [steps], steps, null);
            for (int t = 0; t < steps; t++)
                for (int l = 0; l < Labels; l++)
                    Assert.Equal(alone.Logits[t * Labels + l], ws.Logits[(t * sentences + s) * Labels + l], 4);
        }
    }

    internal sealed record TestBatch(int[] Ids, float[] Features, int[]?[] Characters, int[] Targets);

    private static TestBatch Batch(bool words, bool characters, int seed)
    {
        var random = new RandomSource(seed);
        int rows = Steps * Lengths.Length;
        var ids = words ? Enumerable.Range(0, rows).Select(_ => (int)(random.NextUInt() % (Words - 1))).ToArray() : [];
        var features = words ? [] : Enumerable.Range(0, rows * 3).Select(_ => random.NextFloat() * 2 - 1).ToArray();
        var chars = new int[]?[characters ? rows : 0];
        for (int r = 0; r < chars.Length; r++)
            chars[r] = r / Lengths.Length < Lengths[r % Lengths.Length]
                ? [.. Enumerable.Range(0, 1 + (int)(random.NextUInt() % 4)).Select(_ => (int)(random.NextUInt() % Characters))]
                : null;
        var targets = Enumerable.Range(0, rows).Select(_ => (int)(random.NextUInt() % Labels)).ToArray();
        return new TestBatch(ids, features, chars, targets);
    }

    private static void Forward(SequenceTaggerNetwork net, TaggerWorkspace ws, TestBatch batch, DropoutSeed? seed)
        => net.Forward(ws, batch.Ids, batch.Features, batch.Characters, Lengths, Steps, seed);

    // Mean per-step cross-entropy over the valid steps; padded rows' gradient zero.
    private static double LossBackward(TaggerWorkspace ws, int[] targets)
    {
        double loss = 0;
        int valid = Lengths.Sum();
        for (int r = 0; r < Steps * Lengths.Length; r++)
        {
            var row = ws.Logits.AsSpan(r * Labels, Labels);
            if (r / Lengths.Length >= Lengths[r % Lengths.Length]) row.Clear();
            else loss += SoftmaxCrossEntropy.ForwardBackward(row, targets.AsSpan(r, 1), 1, Labels, 1f / valid);
        }
        return loss / valid;
    }

    private static double Loss(SequenceTaggerNetwork net, TestBatch batch, DropoutSeed? seed)
    {
        var ws = net.CreateWorkspace(Steps, Lengths.Length);
        Forward(net, ws, batch, seed);
        double loss = 0;
        for (int r = 0; r < Steps * Lengths.Length; r++)
            if (r / Lengths.Length < Lengths[r % Lengths.Length])
                loss += SoftmaxCrossEntropy.Loss(ws.Logits.AsSpan(r * Labels, Labels), batch.Targets.AsSpan(r, 1), 1, Labels);
        return loss / Lengths.Sum();
    }

    private static (float[] Scores, float[] Gradients) Run(SequenceTaggerNetwork net, TestBatch batch)
    {
        var ws = net.CreateWorkspace(Steps, Lengths.Length);
        net.Parameters.ZeroGradients();
        Forward(net, ws, batch, null);
        var scores = new List<float>();
        for (int r = 0; r < Steps * Lengths.Length; r++)
            if (r / Lengths.Length < Lengths[r % Lengths.Length]) scores.AddRange(ws.Logits.AsSpan(r * Labels, Labels).ToArray());
        LossBackward(ws, batch.Targets);
        net.Backward(ws, batch.Ids);
        return ([.. scores], net.Parameters.Gradients.ToArray());
    }
}
