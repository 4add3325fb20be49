using Microsoft.ML.Recurrent.LanguageModel;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Numerics;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Layers;

/// <summary>
/// Finite differences against backpropagation for every parameter of every cell type, 1 and 2 layers,
/// with dropout, from a non-zero carried state, and for the initial-state gradient.
/// Central differences with ε = 1e-2 on a float network whose loss is summed over T·B = 8 predictions;
/// a gradient passes when |analytic − numeric| ≤ 2e-3 + 2e-2·max(|analytic|, |numeric|). A wrong gradient
/// (a dropped term, a swapped gate) is off by far more than that.
/// </summary>
public class GradientCheckTests
{
    private const int Vocabulary = 5, Hidden = 4, Steps = 4, Batch = 2;

    [Theory]
    [InlineData(RecurrentCell.Rnn, 1, 0f)]
    [InlineData(RecurrentCell.Rnn, 2, 0f)]
    [InlineData(RecurrentCell.Lstm, 1, 0f)]
    [InlineData(RecurrentCell.Lstm, 2, 0f)]
    [InlineData(RecurrentCell.Gru, 1, 0f)]
    [InlineData(RecurrentCell.Gru, 2, 0f)]
    [InlineData(RecurrentCell.Rnn, 2, 0.3f)]
    [InlineData(RecurrentCell.Lstm, 2, 0.3f)]
    [InlineData(RecurrentCell.Gru, 3, 0.3f)]
    public void EveryParameterGradientMatchesFiniteDifferences(RecurrentCell cell, int layers, float dropout)
    {
        var (net, ids, targets, initial) = Setup(cell, layers, dropout);
        int? dropoutSeed = dropout > 0 ? 99 : null;
        Analytic(net, ids, targets, initial, dropoutSeed);
        var analytic = (float[])net.Parameters.Gradients.Clone();
        int checkedCount = FiniteDifferences.AssertParameters(net.Parameters, analytic, () => Loss(net, ids, targets, initial, dropoutSeed));
        Assert.Equal(net.Parameters.Count, checkedCount);
        Assert.Contains(analytic, g => Math.Abs(g) > 1e-2); // the check is not vacuous
    }

    [Theory]
    [InlineData(RecurrentCell.Rnn)]
    [InlineData(RecurrentCell.Lstm)]
    [InlineData(RecurrentCell.Gru)]
    public void InitialStateGradientMatchesFiniteDifferences(RecurrentCell cell)
    {
        var (net, ids, targets, initial) = Setup(cell, 1, 0f);
        var ws = Analytic(net, ids, targets, initial, null);
        var grad = ws.Stack.Caches[0].InitialStateGradient;
        foreach (var (state, analytic, name) in new[] { (initial[0].H, grad.H, "h0"), (initial[0].C, grad.C, "c0") })
            FiniteDifferences.AssertMatches(state, analytic, () => Loss(net, ids, targets, initial, null), i => $"{name}[{i}]");
    }

    [Fact]
    public void SoftmaxCrossEntropyGradientMatchesFiniteDifferences()
    {
        var random = new RandomSource(5);
        int rows = 3, vocab = 7;
        var logits = Enumerable.Range(0, rows * vocab).Select(_ => 3f * (random.NextFloat() - 0.5f)).ToArray();
        int[] targets = [2, 6, -1];
        var grad = (float[])logits.Clone();
        double loss = SoftmaxCrossEntropy.ForwardBackward(grad, targets, rows, vocab, 0.5f);
        Assert.Equal(SoftmaxCrossEntropy.Loss(logits, targets, rows, vocab), loss, 5);
        for (int k = 0; k < logits.Length; k++)
        {
            float saved = logits[k];
            logits[k] = saved + 1e-2f;
            double plus = SoftmaxCrossEntropy.Loss(logits, targets, rows, vocab);
            logits[k] = saved - 1e-2f;
            double minus = SoftmaxCrossEntropy.Loss(logits, targets, rows, vocab);
            logits[k] = saved;
            FiniteDifferences.AssertClose(grad[k], 0.5 * (plus - minus) / 2e-2, $"logit[{k}]");
        }
        Assert.All(grad.AsSpan(2 * vocab).ToArray(), g => Assert.Equal(0f, g)); // ignored row
    }

    private static (LanguageNetwork, int[], int[], RecurrentState[]) Setup(RecurrentCell cell, int layers, float dropout)
    {
        var net = new LanguageNetwork(new LanguageModelShape(cell, Vocabulary, Hidden, layers, dropout));
        var random = new RandomSource(42);
        net.Initialize(random, WeightInitialization.Uniform, 0.5f);
        var ids = Enumerable.Range(0, Steps * Batch).Select(_ => (int)(random.NextUInt() % Vocabulary)).ToArray();
        var targets = Enumerable.Range(0, Steps * Batch).Select(_ => (int)(random.NextUInt() % Vocabulary)).ToArray();
        var initial = net.CreateStates(Batch);
        foreach (var s in initial)
        {
            for (int i = 0; i < s.H.Length; i++) s.H[i] = random.NextFloat() - 0.5f;
            for (int i = 0; i < s.C.Length; i++) s.C[i] = random.NextFloat() - 0.5f;
        }
        return (net, ids, targets, initial);
    }

    private static RecurrentState[] Copy(LanguageNetwork net, RecurrentState[] states)
    {
        var copy = net.CreateStates(Batch);
        for (int l = 0; l < copy.Length; l++) copy[l].CopyFrom(states[l]);
        return copy;
    }

    private static double Loss(LanguageNetwork net, int[] ids, int[] targets, RecurrentState[] initial, int? dropoutSeed)
    {
        var ws = net.CreateWorkspace(Steps, Batch);
        net.Forward(ws, ids, Copy(net, initial), Steps, dropoutSeed is int s ? new DropoutSeed(s, 0) : null);
        return SoftmaxCrossEntropy.Loss(ws.Logits, targets, Steps * Batch, Vocabulary);
    }

    private static LanguageModelWorkspace Analytic(LanguageNetwork net, int[] ids, int[] targets, RecurrentState[] initial, int? dropoutSeed)
    {
        var ws = net.CreateWorkspace(Steps, Batch);
        net.Parameters.ZeroGradients();
        net.Forward(ws, ids, Copy(net, initial), Steps, dropoutSeed is int s ? new DropoutSeed(s, 0) : null);
        SoftmaxCrossEntropy.ForwardBackward(ws.Logits, targets, Steps * Batch, Vocabulary, 1f);
        net.Backward(ws, ids, Steps);
        return ws;
    }

}
