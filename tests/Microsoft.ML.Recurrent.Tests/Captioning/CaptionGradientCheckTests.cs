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
        var random = new RandomSource(42);
        net.Initialize(random);
        var features = Enumerable.Range(0, Batch * Features).Select(_ => 2f * random.NextFloat() - 1f).ToArray();
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
        net.Backward(ws, ids, features, Steps);
        var analytic = (float[])net.Parameters.Gradients.Clone();

        double Loss()
        {
            var w = net.CreateWorkspace(Steps, Batch);
            var s = net.CreateStates(Batch);
            net.Begin(w, features, s);
            net.Forward(w, ids, s, Steps, seed);
            return SoftmaxCrossEntropy.Loss(w.Logits, targets, Steps * Batch, Vocabulary);
        }

        FiniteDifferences.AssertParameters(net.Parameters, analytic, Loss);
        var imageParameters = net.Parameters.Parameters.Where(p => p.Name.Contains("image") || p.Name.Contains("initial")).ToList();
        Assert.NotEmpty(imageParameters);
        Assert.All(imageParameters, p => Assert.Contains(analytic.AsSpan(p.Offset, p.Length).ToArray(), g => Math.Abs(g) > 1e-3)); // the conditioning paths carry gradient
    }
}
