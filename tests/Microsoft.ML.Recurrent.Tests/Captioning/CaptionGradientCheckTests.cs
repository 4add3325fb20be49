using Microsoft.ML.Recurrent.Captioning;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Numerics;
using Microsoft.ML.Recurrent.Tests.Layers;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Captioning;

/// <summary>
/// Finite differences against backpropagation for every parameter of the captioning network — the image
/// projections of both conditioning paths included — with right-padded (ignored) positions and dropout.
/// The shared <see cref="FiniteDifferences"/> check, with the language network's tolerance.
/// </summary>
public class CaptionGradientCheckTests
{
    private const int Vocabulary = 6, Features = 5, Embedding = 3, Hidden = 4, Steps = 4, Batch = 2;

    [Theory]
    [InlineData(RecurrentCell.Rnn, 1, ImageConditioning.EveryStep, 0f)]
    [InlineData(RecurrentCell.Rnn, 2, ImageConditioning.Both, 0f)]
    [InlineData(RecurrentCell.Lstm, 1, ImageConditioning.InitialState, 0f)]
    [InlineData(RecurrentCell.Lstm, 2, ImageConditioning.Both, 0.3f)]
    [InlineData(RecurrentCell.Gru, 2, ImageConditioning.Both, 0f)]
    public void EveryParameterGradientMatchesFiniteDifferences(RecurrentCell cell, int layers, ImageConditioning conditioning, float dropout)
    {
        var net = new CaptionNetwork(new CaptionShape(cell, Vocabulary, Features, Embedding, Hidden, layers, dropout, conditioning));
        var analytic = AssertGradients(net, coverage: 0f, dropout);
        var imageParameters = net.Parameters.Parameters.Where(p => p.Name.Contains("image") || p.Name.Contains("initial")).ToList();
        Assert.NotEmpty(imageParameters);
        Assert.All(imageParameters, p => Assert.Contains(analytic.AsSpan(p.Offset, p.Length).ToArray(), g => Math.Abs(g) > 1e-3)); // the conditioning paths carry gradient
    }

    // Attention over 3 regions of 2 channels (Features = 6, channel-major), query from the previous output (through the
    // stepped backward) or from the current one (the stack's whole-pass backward): every parameter — attention keys,
    // query, v, gate, the output's context rows — with the coverage regulariser's gradient added to the cross-entropy's.
    [Theory]
    [InlineData(RecurrentCell.Lstm, 1, ImageConditioning.AttentionWithInitialState, true, 0f, 0f)]
    [InlineData(RecurrentCell.Gru, 2, ImageConditioning.AttentionWithInitialState, true, 0.5f, 0f)]
    [InlineData(RecurrentCell.Rnn, 1, ImageConditioning.Attention, false, 0f, 0f)]
    [InlineData(RecurrentCell.Lstm, 2, ImageConditioning.AttentionWithInitialState, true, 0.3f, 0.3f)]
    [InlineData(RecurrentCell.Lstm, 2, ImageConditioning.AttentionWithInitialState, true, 0.5f, 0.3f, AttentionQuery.CurrentState)]
    [InlineData(RecurrentCell.Gru, 1, ImageConditioning.AttentionWithInitialState, false, 0f, 0f, AttentionQuery.CurrentState)]
    [InlineData(RecurrentCell.Rnn, 2, ImageConditioning.Attention, true, 0.3f, 0f, AttentionQuery.CurrentState)]
    public void EveryAttentionGradientMatchesFiniteDifferences(RecurrentCell cell, int layers, ImageConditioning conditioning, bool gate, float coverage, float dropout,
        AttentionQuery query = AttentionQuery.PreviousState)
    {
        const int regions = 3, channels = 2;
        var net = new CaptionNetwork(new CaptionShape(cell, Vocabulary, regions * channels, Embedding, Hidden, layers, dropout, conditioning,
            regions, AttentionWidth: 3, gate, query));
        var analytic = AssertGradients(net, coverage, dropout);
        var attention = net.Parameters.Parameters.Where(p => p.Name.StartsWith("attention", StringComparison.Ordinal)).ToList();
        Assert.Equal(gate ? 5 : 3, attention.Count);
        Assert.All(attention, p => Assert.Contains(analytic.AsSpan(p.Offset, p.Length).ToArray(), g => Math.Abs(g) > 1e-4)); // every attention path carries gradient
    }

    // Random features, words and targets (one padded position), backpropagation (with the coverage regulariser when
    // its weight is positive) against finite differences; returns the analytic gradients.
    private static float[] AssertGradients(CaptionNetwork net, float coverage, float dropout)
    {
        var random = new RandomSource(42);
        net.Initialize(random);
        var features = Enumerable.Range(0, Batch * net.Shape.Features).Select(_ => 2f * random.NextFloat() - 1f).ToArray();
        var ids = Enumerable.Range(0, Steps * Batch).Select(_ => (int)(random.NextUInt() % Vocabulary)).ToArray();
        var targets = Enumerable.Range(0, Steps * Batch).Select(_ => (int)(random.NextUInt() % Vocabulary)).ToArray();
        targets[(Steps - 1) * Batch + 1] = -1; // the second caption is one word shorter: its last position is padding
        DropoutSeed? seed = dropout > 0 ? new DropoutSeed(7, 0) : null;

        var ws = net.CreateWorkspace(Steps, Batch);
        var states = net.CreateStates(Batch);
        net.Parameters.ZeroGradients();
        net.Begin(ws, features, states);
        net.Forward(ws, ids, states, Steps, seed);
        SoftmaxCrossEntropy.ForwardBackward(ws.Logits, targets, Steps * Batch, Vocabulary, 1f);
        if (coverage > 0) net.CoveragePenalty(ws, targets, Steps, coverage, 1f);
        net.Backward(ws, ids, features, Steps);
        var analytic = (float[])net.Parameters.Gradients.Clone();

        double Loss()
        {
            var w = net.CreateWorkspace(Steps, Batch);
            var s = net.CreateStates(Batch);
            net.Begin(w, features, s);
            net.Forward(w, ids, s, Steps, seed);
            double loss = SoftmaxCrossEntropy.Loss(w.Logits, targets, Steps * Batch, Vocabulary);
            return coverage > 0 ? loss + net.CoveragePenalty(w, targets, Steps, coverage, 1f) : loss;
        }

        FiniteDifferences.AssertParameters(net.Parameters, analytic, Loss);
        return analytic;
    }
}
