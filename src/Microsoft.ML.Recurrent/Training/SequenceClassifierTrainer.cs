using System.Diagnostics;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Models;
using Microsoft.ML.Recurrent.Numerics;

namespace Microsoft.ML.Recurrent.Training;

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
            o.Layers, o.Bidirectional, o.Pooling, data.Classes, o.EmbeddingDropout, o.Dropout,
            data.Tokens != null ? o.NgramLength : 0, o.NgramBuckets);
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
        if (network.Ngrams is { } bag) BlendNgramEvidence(network, bag, batcher, training, validation, o.BatchSize, weights, log);
        return network;
    }

    // Stacking: counts the training rows' n-grams, fits how much the network's logits (a) and the naive Bayes
    // evidence (β) each count on the validation rows, which neither was fitted on, and folds a and the class offsets
    // into the output layer. Without validation rows it fits on the training rows with each row's evidence counted
    // without it (the network's logits there are optimistic, so it is weighted somewhat too much). The final table
    // counts every row.
    private static void BlendNgramEvidence(SequenceClassifierNetwork network, NgramBag bag, SequenceBatcher batcher, int[] training,
        int[] validation, int batchSize, double[] classWeights, Action<string>? log)
    {
        var data = batcher.Data;
        int classes = data.Classes;
        bool heldOut = validation.Length > 0;
        var rows = heldOut ? validation : training;
        var counts = NgramCounts.Count(bag, data.Tokens!, data.Labels, training);
        counts.FillTable();
        var z = NetworkLogits(batcher, rows, batchSize);
        var s = new float[z.Length];
        var labels = new int[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            var tokens = data.Tokens![rows[i]];
            labels[i] = data.Labels[rows[i]];
            if (heldOut) bag.Evidence(tokens, [tokens.Length], s.AsSpan(i * classes, classes));
            else counts.LeaveOneOut(tokens, labels[i], s.AsSpan(i * classes, classes));
        }
        var (a, beta, offsets) = EvidenceBlend.Fit(z, s, labels, classes, classWeights);
        var blended = new float[z.Length];
        for (int i = 0; i < z.Length; i++) blended[i] = a * z[i] + beta * s[i] + offsets[i % classes];
        log?.Invoke($"n-gram evidence: network weight {a:F3}, naive Bayes weight {beta:F3}, fitted on {rows.Length} " +
                    $"{(heldOut ? "validation" : "training (leave-one-out)")} rows: accuracy {Accuracy(z, labels, classes):P2} → {Accuracy(blended, labels, classes):P2}");
        if (heldOut) NgramCounts.Count(bag, data.Tokens!, data.Labels, [.. training, .. validation]).FillTable();

        var output = network.Output;
        System.Numerics.Tensors.TensorPrimitives.Multiply(output.Weight.Value, a, output.Weight.Value);
        var bias = output.Bias.Value;
        for (int c = 0; c < classes; c++) bias[c] = a * bias[c] + offsets[c];
        bag.Scale = beta;
    }

    private static double Accuracy(float[] logits, int[] labels, int classes)
        => (double)Enumerable.Range(0, labels.Length).Count(i => System.Numerics.Tensors.TensorPrimitives.IndexOfMax(logits.AsSpan(i * classes, classes)) == labels[i]) / labels.Length;

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
        int classes = batcher.Data.Classes;
        var logits = NetworkLogits(batcher, rows, batchSize);
        var labels = rows.Select(r => batcher.Data.Labels[r]).ToArray();
        double loss = 0;
        for (int i = 0; i < rows.Length; i++) loss += SoftmaxCrossEntropy.Loss(logits.AsSpan(i * classes, classes), labels.AsSpan(i, 1), 1, classes);
        return (loss / rows.Length, Accuracy(logits, labels, classes));
    }

    /// <summary>The logits [rows, classes] of <paramref name="rows"/> (in their order), without dropout, in batches of similar length.</summary>
    private static float[] NetworkLogits(SequenceBatcher batcher, int[] rows, int batchSize)
    {
        int classes = batcher.Data.Classes;
        var logits = new float[rows.Length * classes];
        var order = Enumerable.Range(0, rows.Length).OrderBy(i => batcher.Data.Length(rows[i])).ToArray();
        var batch = new int[batchSize];
        for (int start = 0; start < order.Length; start += batchSize)
        {
            int count = Math.Min(batchSize, order.Length - start);
            for (int k = 0; k < count; k++) batch[k] = rows[order[start + k]];
            var ws = batcher.Forward(batch.AsSpan(0, count), null);
            for (int k = 0; k < count; k++) ws.Logits.AsSpan(k * classes, classes).CopyTo(logits.AsSpan(order[start + k] * classes, classes));
        }
        return logits;
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
