using Microsoft.ML.Recurrent.Classification;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Numerics;
using Microsoft.ML.Recurrent.Tests.Layers;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Classification;

/// <summary>
/// Finite differences against backpropagation for every parameter of the classifier: each pooling, one and two
/// layers, uni- and bidirectional, token and float input, with dropout, on a padded batch of unequal lengths
/// (so masking and the per-sequence reversal are checked too), with <see cref="FiniteDifferences"/>.
/// </summary>
public class ClassifierGradientTests
{
    private static readonly int[] Lengths = [4, 2, 3];
    private static readonly int[] Targets = [0, 2, 1];
    private const int Steps = 4;

    [Theory]
    [InlineData(RecurrentCell.Gru, 1, true, SequencePooling.Max, true, 0f)]
    [InlineData(RecurrentCell.Gru, 2, true, SequencePooling.Mean, true, 0f)]
    [InlineData(RecurrentCell.Lstm, 1, true, SequencePooling.Last, true, 0f)]
    [InlineData(RecurrentCell.Lstm, 2, false, SequencePooling.Last, false, 0f)]
    [InlineData(RecurrentCell.Rnn, 1, true, SequencePooling.Mean, false, 0f)]
    [InlineData(RecurrentCell.Gru, 2, true, SequencePooling.Mean, true, 0.3f)] // mean: max pooling has kinks finite differences can straddle
    public void Every_parameter_gradient_matches_finite_differences(RecurrentCell cell, int layers, bool bidirectional, SequencePooling pooling,
        bool tokens, float dropout)
    {
        var net = ClassifierTestNetworks.Random(cell, layers, bidirectional, pooling, tokens, dropout);
        var (ids, features) = Batch(tokens);
        DropoutSeed? seed = dropout > 0 ? new DropoutSeed(7, 0) : null;
        var ws = net.CreateWorkspace(Steps, Lengths.Length);
        net.Parameters.ZeroGradients();
        net.Forward(ws, ids, features, Lengths, Steps, seed);
        SoftmaxCrossEntropy.ForwardBackward(ws.Logits, Targets, Lengths.Length, ClassifierTestNetworks.Classes, 1f);
        net.Backward(ws, ids);
        var analytic = (float[])net.Parameters.Gradients.Clone();
        FiniteDifferences.AssertParameters(net.Parameters, analytic, () => Loss(net, ids, features, seed));
        Assert.Contains(analytic, g => Math.Abs(g) > 1e-2);
    }

    [Theory]
    [InlineData(SequencePooling.Max, 0)]
    [InlineData(SequencePooling.Mean, 0)]
    [InlineData(SequencePooling.Last, 0)]
    [InlineData(SequencePooling.Max, 3)]
    public void Padded_positions_change_neither_outputs_nor_gradients(SequencePooling pooling, int ngramLength)
    {
        var net = ClassifierTestNetworks.Random(RecurrentCell.Gru, 2, true, pooling, ngramLength: ngramLength);
        var (ids, _) = Batch(tokens: true);
        var (logitsA, gradA) = Run(net, ids);
        var other = (int[])ids.Clone();
        for (int t = 0; t < Steps; t++)
            for (int b = 0; b < Lengths.Length; b++)
                if (t >= Lengths[b]) other[t * Lengths.Length + b] = 5; // different padding tokens
        var (logitsB, gradB) = Run(net, other);
        Assert.Equal(logitsA, logitsB);
        Assert.Equal(gradA, gradB);
    }

    [Theory]
    [InlineData(SequencePooling.Max, 0)]
    [InlineData(SequencePooling.Mean, 0)]
    [InlineData(SequencePooling.Last, 0)]
    [InlineData(SequencePooling.Mean, 2)]
    public void A_sequence_gets_the_same_logits_alone_or_batched_with_longer_ones(SequencePooling pooling, int ngramLength)
    {
        var net = ClassifierTestNetworks.Random(RecurrentCell.Lstm, 2, true, pooling, ngramLength: ngramLength);
        var (ids, _) = Batch(tokens: true);
        var ws = net.CreateWorkspace(Steps, Lengths.Length);
        net.Forward(ws, ids, [], Lengths, Steps, null);
        for (int b = 0; b < Lengths.Length; b++)
        {
            int[] alone = [.. Enumerable.Range(0, Lengths[b]).Select(t => ids[t * Lengths.Length + b])];
            var expected = ClassifierTestNetworks.AloneLogits(net, alone);
            for (int c = 0; c < ClassifierTestNetworks.Classes; c++)
                Assert.Equal(expected[c], ws.Logits[b * ClassifierTestNetworks.Classes + c], 5);
        }
    }

    private static (float[] Logits, float[] Gradients) Run(SequenceClassifierNetwork net, int[] ids)
    {
        var ws = net.CreateWorkspace(Steps, Lengths.Length);
        net.Parameters.ZeroGradients();
        net.Forward(ws, ids, [], Lengths, Steps, null);
        var logits = ws.Logits.ToArray();
        SoftmaxCrossEntropy.ForwardBackward(ws.Logits, Targets, Lengths.Length, ClassifierTestNetworks.Classes, 1f);
        net.Backward(ws, ids);
        // The embedding rows of the padding tokens differ between runs: compare everything else.
        var embedding = net.Embedding!.Weight;
        var grads = net.Parameters.Gradients.ToArray();
        grads.AsSpan(embedding.Offset + 5 * ClassifierTestNetworks.Width, ClassifierTestNetworks.Width).Clear();
        return (logits, grads);
    }

    private static (int[] Ids, float[] Features) Batch(bool tokens)
    {
        var random = new RandomSource(3);
        int rows = Steps * Lengths.Length;
        if (tokens) return ([.. Enumerable.Range(0, rows).Select(_ => (int)(random.NextUInt() % 5))], []);
        return ([], [.. Enumerable.Range(0, rows * ClassifierTestNetworks.Width).Select(_ => random.NextFloat() * 2 - 1)]);
    }

    private static double Loss(SequenceClassifierNetwork net, int[] ids, float[] features, DropoutSeed? seed)
    {
        var ws = net.CreateWorkspace(Steps, Lengths.Length);
        net.Forward(ws, ids, features, Lengths, Steps, seed);
        return SoftmaxCrossEntropy.Loss(ws.Logits.AsSpan(0, Lengths.Length * ClassifierTestNetworks.Classes), Targets, Lengths.Length, ClassifierTestNetworks.Classes);
    }
}
