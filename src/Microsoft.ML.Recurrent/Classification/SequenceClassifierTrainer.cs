using System.Diagnostics;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Numerics;
using Microsoft.ML.Recurrent.Training;

namespace Microsoft.ML.Recurrent.Classification;

/// <summary>
/// Trains a <see cref="SequenceClassifierNetwork"/>: minibatches of similar-length sequences (shuffled within
/// length buckets each epoch), weighted softmax cross-entropy, global-norm clipping, and early stopping on a
/// held-out fraction that keeps the weights of the best epoch. Single-threaded and seeded, so deterministic.
/// </summary>
internal static class SequenceClassifierTrainer
{
    // Batches are formed inside windows of this many batches sorted by length: little padding, still random.
    private const int BucketWindow = 50;

    public static SequenceClassifierNetwork Train(SequenceDataset data, SequenceClassifierOptions o, Action<string>? log = null,
        CancellationToken cancellation = default)
    {
        o.Validate();
        var present = data.Labels.Distinct().Count();
        if (present < 2)
            throw new InvalidOperationException($"The training set holds {(data.Count == 0 ? "no rows" : "a single class")}; a classifier needs examples of at least two classes.");

        var random = new RandomSource(o.Seed);
        var order = Enumerable.Range(0, data.Count).ToArray();
        Shuffle(order, random);
        int validationCount = (int)(data.Count * o.ValidationFraction);
        var validation = order[..validationCount];
        var training = order[validationCount..];

        var shape = new ClassifierShape(o.Cell, data.Vocabulary, data.Tokens != null ? o.EmbeddingSize : data.StepWidth, o.HiddenSize,
            o.Layers, o.Bidirectional, o.Pooling, data.Classes, o.EmbeddingDropout, o.Dropout);
        var network = new SequenceClassifierNetwork(shape);
        network.Initialize(random);
        var weights = ClassWeights(data, training, o.ClassWeighting);
        var optimizer = Optimizer.Create(o.Optimizer, network.Parameters.Count);
        var batcher = new SequenceBatcher(network, data);
        var targets = new int[o.BatchSize];

        float[]? best = null;
        double bestLoss = double.PositiveInfinity;
        int sinceBest = 0;
        long iteration = 0;
        var clock = Stopwatch.StartNew();
        for (int epoch = 1; epoch <= o.MaxEpochs; epoch++)
        {
            double lossSum = 0;
            foreach (var batch in Batches(training, data, o.BatchSize, random))
            {
                cancellation.ThrowIfCancellationRequested();
                network.Parameters.ZeroGradients();
                var ws = batcher.Forward(batch, new DropoutSeed(o.Seed, iteration++), o.WordDropout);
                double weightSum = 0;
                for (int b = 0; b < batch.Length; b++) weightSum += weights[data.Labels[batch[b]]];
                for (int b = 0; b < batch.Length; b++)
                {
                    // Per-row gradient scale w_y / Σw: the batch loss is the weighted mean.
                    int label = data.Labels[batch[b]];
                    targets[0] = label;
                    lossSum += weights[label] * SoftmaxCrossEntropy.ForwardBackward(ws.Logits.AsSpan(b * data.Classes, data.Classes),
                        targets.AsSpan(0, 1), 1, data.Classes, (float)(weights[label] / weightSum));
                }
                network.Backward(ws, batcher.Ids(ws.Steps * ws.Batch));
                Step(network, optimizer, o);
            }

            string line = $"epoch {epoch}: train loss {lossSum / training.Length:F4}";
            if (validation.Length > 0)
            {
                var (loss, accuracy) = Evaluate(batcher, validation, o.BatchSize);
                line += $", validation loss {loss:F4}, accuracy {accuracy:P2}";
                if (loss < bestLoss)
                {
                    bestLoss = loss;
                    best = (float[])network.Parameters.Values.Clone();
                    sinceBest = 0;
                }
                else if (++sinceBest >= o.Patience)
                {
                    log?.Invoke(line + $" ({clock.Elapsed.TotalSeconds:F1} s); stopping early");
                    break;
                }
            }
            log?.Invoke(line + $" ({clock.Elapsed.TotalSeconds:F1} s)");
        }
        best?.CopyTo(network.Parameters.Values, 0);
        return network;
    }

    private static void Step(SequenceClassifierNetwork network, Optimizer optimizer, SequenceClassifierOptions o)
    {
        var gradients = network.Parameters.Gradients;
        double norm = Math.Sqrt(VectorKernels.SumOfSquares(gradients));
        if (!double.IsFinite(norm)) throw new InvalidOperationException($"Training diverged: the gradient norm is {norm}. Lower the learning rate.");
        if (o.MaxGradientNorm > 0 && norm > o.MaxGradientNorm) VectorKernels.Scale(gradients, (float)(o.MaxGradientNorm / norm));
        optimizer.Step(network.Parameters.Values, gradients, o.LearningRate);
    }

    /// <summary>Mean loss and accuracy over <paramref name="rows"/>, without dropout.</summary>
    public static (double Loss, double Accuracy) Evaluate(SequenceBatcher batcher, int[] rows, int batchSize)
    {
        var data = batcher.Data;
        double loss = 0;
        int correct = 0;
        var sorted = rows.OrderBy(data.Length).ToArray();
        var target = new int[1];
        for (int start = 0; start < sorted.Length; start += batchSize)
        {
            var batch = sorted.AsSpan(start, Math.Min(batchSize, sorted.Length - start));
            var ws = batcher.Forward(batch, null);
            for (int b = 0; b < batch.Length; b++)
            {
                var logits = ws.Logits.AsSpan(b * data.Classes, data.Classes);
                target[0] = data.Labels[batch[b]];
                loss += SoftmaxCrossEntropy.Loss(logits, target, 1, data.Classes);
                if (System.Numerics.Tensors.TensorPrimitives.IndexOfMax(logits) == target[0]) correct++;
            }
        }
        return (loss / rows.Length, (double)correct / rows.Length);
    }

    private static double[] ClassWeights(SequenceDataset data, int[] rows, ClassWeighting weighting)
    {
        var weights = new double[data.Classes];
        if (weighting == ClassWeighting.None)
        {
            Array.Fill(weights, 1.0);
            return weights;
        }
        var counts = new int[data.Classes];
        foreach (int r in rows) counts[data.Labels[r]]++;
        for (int c = 0; c < weights.Length; c++) weights[c] = counts[c] == 0 ? 0 : (double)rows.Length / (data.Classes * counts[c]);
        return weights;
    }

    // Shuffle, sort windows of BucketWindow batches by length, cut into batches, shuffle the batches.
    private static List<int[]> Batches(int[] rows, SequenceDataset data, int batchSize, RandomSource random)
    {
        var order = (int[])rows.Clone();
        Shuffle(order, random);
        var batches = new List<int[]>();
        int window = batchSize * BucketWindow;
        for (int w = 0; w < order.Length; w += window)
        {
            var sorted = order.AsSpan(w, Math.Min(window, order.Length - w)).ToArray().OrderBy(data.Length).ToArray();
            for (int s = 0; s < sorted.Length; s += batchSize) batches.Add(sorted[s..Math.Min(s + batchSize, sorted.Length)]);
        }
        var shuffled = batches.ToArray();
        Shuffle(shuffled, random);
        return [.. shuffled];
    }

    private static void Shuffle<T>(T[] items, RandomSource random)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = (int)(random.NextUInt() % (uint)(i + 1));
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
