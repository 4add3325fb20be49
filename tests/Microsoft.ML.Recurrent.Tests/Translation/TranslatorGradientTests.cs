using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Numerics;
using Microsoft.ML.Recurrent.Tests.Layers;
using Microsoft.ML.Recurrent.Translation;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Translation;

/// <summary>
/// Finite differences against backpropagation for every parameter of the encoder–decoder — embeddings, the encoder,
/// the bridge, the stepped decoder with input feeding, each attention score, the attentional layer, the output (or
/// tied) layer — on a padded batch of unequal source and target lengths; and the check that padding reaches nothing.
/// </summary>
public class TranslatorGradientTests
{
    private static readonly int[] SourceLengths = [4, 1, 3];
    private static readonly int[] TargetLengths = [2, 4, 1]; // tokens before the end marker
    private const int SourceSteps = 4, TargetSteps = 5, SourceWords = 6, TargetWords = 7;

    internal static TranslatorNetwork Random(RecurrentCell cell, int encoderLayers, bool bidirectional, int decoderLayers, AttentionScore score,
        bool feed, bool tie = false, float dropout = 0f, int seed = 11)
    {
        int encoderHidden = 2, memory = bidirectional ? 2 * encoderHidden : encoderHidden;
        int decoderHidden = score == AttentionScore.Dot ? memory : 3, embedding = 3, attention = tie ? embedding : 4;
        var shape = new TranslatorShape(new StackShape(cell, encoderHidden, encoderLayers, bidirectional), new StackShape(cell, decoderHidden, decoderLayers),
            SourceWords, TranslatorVocabulary.ReservedCount + TargetWords, 3, embedding, score, feed, attention, tie, dropout);
        var net = new TranslatorNetwork(shape);
        net.Initialize(new RandomSource(seed));
        var v = net.Parameters.Values; // larger than the initialisation so that every gradient is well away from zero
        var random = new RandomSource(seed + 1);
        for (int i = 0; i < v.Length; i++) v[i] += (random.NextFloat() - 0.5f) * 0.8f;
        return net;
    }

    [Theory]
    [InlineData(RecurrentCell.Lstm, 1, true, 1, AttentionScore.General, true, false, 0f)] // the reference's model
    [InlineData(RecurrentCell.Gru, 2, true, 2, AttentionScore.Additive, true, false, 0f)]
    [InlineData(RecurrentCell.Rnn, 1, false, 1, AttentionScore.Dot, false, false, 0f)]
    [InlineData(RecurrentCell.Lstm, 2, true, 1, AttentionScore.Dot, true, true, 0f)] // tied embeddings
    [InlineData(RecurrentCell.Lstm, 1, true, 2, AttentionScore.Additive, false, false, 0f)] // two decoder layers bridged from one
    [InlineData(RecurrentCell.Lstm, 2, true, 2, AttentionScore.General, true, false, 0.3f)] // dropout in both stacks
    public void Every_parameter_gradient_matches_finite_differences(RecurrentCell cell, int encoderLayers, bool bidirectional, int decoderLayers,
        AttentionScore score, bool feed, bool tie, float dropout)
    {
        var net = Random(cell, encoderLayers, bidirectional, decoderLayers, score, feed, tie, dropout);
        var batch = Batch(seed: 3);
        DropoutSeed? seed = dropout > 0 ? new DropoutSeed(7, 0) : null;
        var analytic = Gradients(net, batch, seed);
        int checkedCount = FiniteDifferences.AssertParameters(net.Parameters, analytic, () => Loss(net, batch, seed));
        Assert.Equal(net.Parameters.Count, checkedCount);
        foreach (var p in net.Parameters.Parameters) // every piece learns: no parameter block is cut off from the loss
            if (!p.Name.StartsWith("target.embedding.b") || !tie)
                Assert.True(analytic.AsSpan(p.Offset, p.Length).ToArray().Any(g => Math.Abs(g) > 1e-6), $"{p.Name} has no gradient"); // small for the additive query: its share cancels in the softmax where tanh is near-linear
    }

    [Fact]
    public void Padding_changes_neither_logits_nor_gradients()
    {
        var net = Random(RecurrentCell.Lstm, 2, true, 1, AttentionScore.Additive, feed: true);
        var a = Batch(seed: 3);
        var b = Batch(seed: 3);
        for (int s = 0; s < SourceLengths.Length; s++)
        {
            for (int t = SourceLengths[s]; t < SourceSteps; t++) b.Source[t * SourceLengths.Length + s] = 5;
            for (int t = TargetLengths[s] + 1; t < TargetSteps; t++) b.Inputs[t * SourceLengths.Length + s] = 6;
        }
        var (logitsA, gradientsA) = Run(net, a);
        var (logitsB, gradientsB) = Run(net, b);
        Assert.Equal(logitsA, logitsB);
        Assert.Equal(gradientsA, gradientsB);
    }

    internal sealed record TrainingBatch(int[] Source, int[] Inputs, int[] Targets);

    // Time-major ids: sources padded with 0, decoder inputs start then the target, targets the target then end, −1 past it.
    internal static TrainingBatch Batch(int seed)
    {
        var random = new RandomSource(seed);
        int batch = SourceLengths.Length;
        var source = new int[SourceSteps * batch];
        var inputs = new int[TargetSteps * batch];
        var targets = new int[TargetSteps * batch];
        Array.Fill(targets, -1);
        for (int b = 0; b < batch; b++)
        {
            for (int t = 0; t < SourceLengths[b]; t++) source[t * batch + b] = 1 + (int)(random.NextUInt() % (SourceWords - 1));
            int previous = TranslatorVocabulary.Start;
            for (int t = 0; t <= TargetLengths[b]; t++)
            {
                int next = t < TargetLengths[b] ? TranslatorVocabulary.ReservedCount + (int)(random.NextUInt() % TargetWords) : TranslatorVocabulary.End;
                inputs[t * batch + b] = previous;
                targets[t * batch + b] = next;
                previous = next;
            }
        }
        return new TrainingBatch(source, inputs, targets);
    }

    private static float[] Gradients(TranslatorNetwork net, TrainingBatch batch, DropoutSeed? seed)
    {
        net.Parameters.ZeroGradients();
        var ws = net.CreateWorkspace(SourceSteps, TargetSteps, SourceLengths.Length);
        net.Forward(ws, batch.Source, SourceLengths, SourceSteps, batch.Inputs, TargetSteps, seed);
        LossBackward(net, ws, batch.Targets);
        net.Backward(ws, batch.Source, batch.Inputs);
        return (float[])net.Parameters.Gradients.Clone();
    }

    private static (float[] Logits, float[] Gradients) Run(TranslatorNetwork net, TrainingBatch batch)
    {
        net.Parameters.ZeroGradients();
        var ws = net.CreateWorkspace(SourceSteps, TargetSteps, SourceLengths.Length);
        net.Forward(ws, batch.Source, SourceLengths, SourceSteps, batch.Inputs, TargetSteps, null);
        int v = net.Shape.TargetVocabulary;
        var logits = new List<float>();
        for (int r = 0; r < batch.Targets.Length; r++)
            if (batch.Targets[r] >= 0) logits.AddRange(ws.Logits.AsSpan(r * v, v).ToArray());
        LossBackward(net, ws, batch.Targets);
        net.Backward(ws, batch.Source, batch.Inputs);
        return ([.. logits], (float[])net.Parameters.Gradients.Clone());
    }

    private static double Loss(TranslatorNetwork net, TrainingBatch batch, DropoutSeed? seed)
    {
        var ws = net.CreateWorkspace(SourceSteps, TargetSteps, SourceLengths.Length);
        net.Forward(ws, batch.Source, SourceLengths, SourceSteps, batch.Inputs, TargetSteps, seed);
        int v = net.Shape.TargetVocabulary;
        double loss = 0;
        for (int r = 0; r < batch.Targets.Length; r++)
            if (batch.Targets[r] >= 0) loss += SoftmaxCrossEntropy.Loss(ws.Logits.AsSpan(r * v, v), batch.Targets.AsSpan(r, 1), 1, v);
        return loss;
    }

    private static void LossBackward(TranslatorNetwork net, TranslatorWorkspace ws, int[] targets)
    {
        int v = net.Shape.TargetVocabulary;
        for (int r = 0; r < targets.Length; r++)
        {
            var row = ws.Logits.AsSpan(r * v, v);
            if (targets[r] < 0) row.Clear();
            else SoftmaxCrossEntropy.ForwardBackward(row, targets.AsSpan(r, 1), 1, v, 1f);
        }
    }
}
