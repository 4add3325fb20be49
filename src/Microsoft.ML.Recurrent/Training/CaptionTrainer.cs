using System.Diagnostics;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Models;
using Microsoft.ML.Recurrent.Numerics;

namespace Microsoft.ML.Recurrent.Training;

/// <summary>
/// Teacher-forced training on (image, caption) pairs: each minibatch feeds &lt;START&gt; w1 … wn and predicts
/// w1 … wn &lt;END&gt;. Captions are right-padded to the batch's longest; padded positions have no target, so
/// their upstream gradient is zero — exact, because nothing after a caption's end feeds back into it. A caption
/// cut at the maximum length has no &lt;END&gt; target: it did not end there, and teaching that it did makes the
/// model stop mid-sentence.
/// </summary>
internal static class CaptionTrainer
{
    /// <param name="network">The network to initialise and train.</param>
    /// <param name="features">Normalised image features [images, F].</param>
    /// <param name="pairs">Image index, word ids (without &lt;START&gt;/&lt;END&gt;) and whether it was cut, of each training caption.</param>
    /// <param name="options">Training settings.</param>
    /// <param name="cancellationToken">Checked before every minibatch.</param>
    public static void Train(CaptionNetwork network, float[] features, IReadOnlyList<(int Image, int[] Words, bool Cut)> pairs,
        CaptionerOptions options, CancellationToken cancellationToken)
    {
        int f = network.Shape.Features, v = network.Shape.Vocabulary;
        int batch = Math.Min(options.BatchSize, pairs.Count), maxSteps = options.MaxCaptionLength + 1;
        var random = new RandomSource(options.Seed);
        network.Initialize(random);
        var workspace = network.CreateWorkspace(maxSteps, batch);
        var states = network.CreateStates(batch);
        var optimizer = Optimizer.Create(options.Optimizer, network.Parameters.Count);
        var order = Enumerable.Range(0, pairs.Count).ToArray();
        var batchFeatures = new float[batch * f];
        var ids = new int[maxSteps * batch];
        var targets = new int[maxSteps * batch];
        var clock = Stopwatch.StartNew();
        long iteration = 0;
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            Shuffle(order, random);
            double loss = 0;
            long words = 0;
            // The last partial batch is dropped: the workspace has a fixed batch, and the next epoch reshuffles.
            for (int first = 0; first + batch <= order.Length; first += batch)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int steps = Fill(pairs, order.AsSpan(first, batch), features, f, batchFeatures, ids, targets, out int count);
                int rows = steps * batch;
                network.Parameters.ZeroGradients();
                network.Begin(workspace, batchFeatures, states);
                network.Forward(workspace, ids.AsSpan(0, rows), states, steps, new DropoutSeed(options.Seed, iteration++));
                loss += SoftmaxCrossEntropy.ForwardBackward(workspace.Logits.AsSpan(0, rows * v), targets.AsSpan(0, rows), rows, v, 1f / count);
                words += count;
                network.Backward(workspace, ids.AsSpan(0, rows), batchFeatures, steps);
                if (options.GradientClip > 0) VectorKernels.Clamp(network.Parameters.Gradients, options.GradientClip);
                optimizer.Step(network.Parameters.Values, network.Parameters.Gradients, options.LearningRate);
            }
            options.Progress?.Report(new TrainingProgress
            {
                Iteration = (int)iteration,
                Epoch = epoch,
                TrainLoss = words == 0 ? 0 : loss / words,
                Elapsed = clock.Elapsed,
            });
        }
    }

    // -> ids/targets [T·B] time-major for the batch's pairs, T = longest caption + 1; returns T, count = real targets
    internal static int Fill(IReadOnlyList<(int Image, int[] Words, bool Cut)> pairs, ReadOnlySpan<int> chosen, float[] features, int f,
        float[] batchFeatures, int[] ids, int[] targets, out int count)
    {
        int batch = chosen.Length, steps = 1;
        foreach (int p in chosen) steps = Math.Max(steps, pairs[p].Words.Length + 1);
        count = 0;
        for (int b = 0; b < batch; b++)
        {
            var (image, words, cut) = pairs[chosen[b]];
            features.AsSpan(image * f, f).CopyTo(batchFeatures.AsSpan(b * f, f));
            for (int t = 0; t < steps; t++)
            {
                int row = t * batch + b;
                ids[row] = t == 0 ? WordVocabulary.Start : t <= words.Length ? words[t - 1] : WordVocabulary.End;
                targets[row] = t < words.Length ? words[t] : t == words.Length && !cut ? WordVocabulary.End : -1;
                if (targets[row] >= 0) count++;
            }
        }
        return steps;
    }

    private static void Shuffle(int[] order, RandomSource random)
    {
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = (int)(random.NextUInt() % (uint)(i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }
    }
}
