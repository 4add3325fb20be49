using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Numerics;
using Microsoft.ML.Recurrent.Training;

namespace Microsoft.ML.Recurrent.Classification;

/// <summary>
/// The classifier's part of <see cref="TrainingLoop"/>: minibatches of similar-length sequences (shuffled within
/// length buckets each epoch) and weighted softmax cross-entropy; the loop clips, validates on a held-out fraction,
/// stops early and keeps the best weights. After training, the naive Bayes evidence is stacked on the network.
/// Single-threaded and seeded, so deterministic.
/// </summary>
internal sealed class SequenceClassifierTrainer : ITrainingTask
{
    private readonly SequenceClassifierOptions _options;
    private readonly SequenceDataset _data;
    private readonly SequenceClassifierNetwork _network;
    private readonly SequenceBatcher _batcher;
    private readonly RandomSource _random;
    private readonly int[] _training, _validation;
    private readonly double[] _weights;
    private readonly int[] _target = new int[1];
    private readonly int _seed;
    private int[][] _batches = [];

    private SequenceClassifierTrainer(SequenceDataset data, SequenceClassifierOptions o)
    {
        _options = o;
        _data = data;
        _seed = o.EffectiveSeed;
        _random = new RandomSource(_seed);
        var order = Enumerable.Range(0, data.Count).ToArray();
        Shuffling.Shuffle(order.AsSpan(), _random);
        int validationCount = (int)(data.Count * o.ValidationFraction);
        _validation = order[..validationCount];
        _training = order[validationCount..];

        var shape = new ClassifierShape(o.Cell, data.Vocabulary, data.Tokens != null ? o.EmbeddingSize : data.StepWidth, o.HiddenSize,
            o.Layers, o.Bidirectional, o.Pooling, data.Classes, o.EmbeddingDropout, o.Dropout,
            data.Tokens != null ? o.NgramLength : 0, o.NgramBuckets);
        _network = new SequenceClassifierNetwork(shape);
        _network.Initialize(_random);
        _weights = ClassWeights(data, _training, o.ClassWeighting);
        _batcher = new SequenceBatcher(_network, data);
        Fingerprint = DataFingerprint(data, o);
        Description = $"Training a {(o.Bidirectional ? "bidirectional " : "")}{o.Cell} {o.Layers}×{o.HiddenSize} classifier " +
                      $"({_network.Parameters.Count:N0} parameters) on {_training.Length:N0} sequences, validating on {_validation.Length:N0}.";
    }

    public static SequenceClassifierNetwork Train(SequenceDataset data, SequenceClassifierOptions o, Action<string>? log = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(o);
        o.Validate();
        var present = data.Labels.Distinct().Count();
        if (present < 2)
            throw new InvalidOperationException($"The training set holds {(data.Count == 0 ? "no rows" : "a single class")}; a classifier needs examples of at least two classes.");

        using var threads = TrainingLoop.UseThreads(o);
        var task = new SequenceClassifierTrainer(data, o);
        new TrainingLoop(task, o).Run(null, log, cancellation);
        var network = task._network;
        if (network.Ngrams is { } bag) BlendNgramEvidence(network, bag, task._batcher, task._training, task._validation, o.BatchSize, task._weights, log);
        return network;
    }

    public ParameterStore Parameters => _network.Parameters;
    public string Description { get; }
    public ulong Fingerprint { get; }

    public int BeginEpoch(int epoch)
    {
        _batches = LengthBuckets.Batches(_training, _data.Length, _options.BatchSize, _random);
        return _batches.Length;
    }

    public (double LossSum, double Count) TrainBatch(int batch, int iteration)
    {
        var rows = _batches[batch];
        int classes = _data.Classes;
        _network.Parameters.ZeroGradients();
        var ws = _batcher.Forward(rows, new DropoutSeed(_seed, iteration), _options.WordDropout);
        double weightSum = 0, lossSum = 0;
        foreach (int row in rows) weightSum += _weights[_data.Labels[row]];
        for (int b = 0; b < rows.Length; b++)
        {
            // Per-row gradient scale w_y / Σw: the batch loss is the weighted mean.
            int label = _data.Labels[rows[b]];
            _target[0] = label;
            lossSum += _weights[label] * SoftmaxCrossEntropy.ForwardBackward(ws.Logits.AsSpan(b * classes, classes),
                _target, 1, classes, (float)(_weights[label] / weightSum));
        }
        _network.Backward(ws, _batcher.Ids(ws.Steps * ws.Batch));
        return (lossSum, rows.Length);
    }

    public float EndEpoch(int epochsDone, float learningRate) => learningRate;

    public ValidationResult? Validate()
    {
        if (_validation.Length == 0) return null;
        var (loss, accuracy) = Evaluate(_batcher, _validation, _options.BatchSize);
        return new ValidationResult(loss, accuracy);
    }

    public string? Sample() => null;

    // Nothing but the weights and the optimizer (the loop's) carries over between batches.
    public void WriteState(BinaryWriter writer) { }

    public void ReadState(BinaryReader reader) { }

    private static ulong DataFingerprint(SequenceDataset data, SequenceClassifierOptions o)
    {
        var hash = new XxHash64();
        for (int i = 0; i < data.Count; i++)
        {
            if (data.Tokens != null) hash.Append(MemoryMarshal.AsBytes(data.Tokens[i].AsSpan()));
            else hash.Append(MemoryMarshal.AsBytes(data.Features![i].AsSpan()));
            hash.Append(BitConverter.GetBytes(data.Labels[i]));
        }
        hash.Append(Encoding.UTF8.GetBytes(string.Join('|', data.Vocabulary, data.StepWidth, data.Classes, o.EmbeddingSize, o.Bidirectional,
            o.Pooling, o.NgramLength, o.NgramBuckets, o.EmbeddingDropout, o.WordDropout, o.ClassWeighting)));
        return hash.GetCurrentHashAsUInt64();
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
}
