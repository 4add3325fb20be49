using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Numerics;
using Microsoft.ML.Recurrent.Training;

namespace Microsoft.ML.Recurrent.Tagging;

/// <summary>
/// The tagger's part of <see cref="TrainingLoop"/>: minibatches of similar-length sentences (shuffled within length
/// buckets each epoch), the mean per-token loss — softmax cross-entropy per step, or the CRF's negative
/// log-likelihood per sentence — and validation loss and token accuracy; the loop clips, validates, stops early and
/// keeps the best weights. A batch's sentences are split into one shard per thread, each with a replica of the
/// network (shared weights, own gradients and activations), their gradients summed in shard order; dropout masks
/// derive from the seed, the iteration and each sentence's place in the batch. Seeded, so deterministic for a given
/// thread count.
/// </summary>
internal sealed class SequenceTaggerTrainer : ITrainingTask, IDisposable
{
    private readonly SequenceTaggerOptions _options;
    private readonly TaggingDataset _data;
    private readonly TaggerBatcher _batcher;
    private readonly TaggerBatcher? _validationBatcher;
    private readonly TaggerBatcher[] _shards;
    private readonly ShardedBatch _sharded;
    private int[] _rows = [];
    private int _iteration;
    private float _scale;
    private readonly RandomSource _random;
    private readonly int[] _training, _validation;
    private readonly int _seed;
    private int[][] _batches = [];

    private SequenceTaggerTrainer(SequenceTaggerNetwork network, TaggingDataset data, TaggingDataset? validation, SequenceTaggerOptions o)
    {
        _options = o;
        _data = data;
        _seed = o.EffectiveSeed;
        _random = new RandomSource(_seed);
        network.Initialize(_random);
        (_training, _validation) = ValidationSplit.Of(data.Count, validation?.Count, o.ValidationFraction, _random);
        _batcher = new TaggerBatcher(network, data);
        _validationBatcher = validation != null ? new TaggerBatcher(network, validation) : null;
        _shards = [_batcher, .. Enumerable.Range(1, ShardedBatch.Count(o.BatchSize) - 1).Select(_ => new TaggerBatcher(network.CreateReplica(), data))];
        _sharded = new ShardedBatch([.. _shards.Select(b => b.Network.Parameters)], RunShard);
        Network = network;
        Fingerprint = DataFingerprint(data, validation, o);
        long tokens = _training.Sum(s => (long)data.Length(s));
        Description = $"Training a {(o.Bidirectional ? "bidirectional " : "")}{o.Cell} {o.Layers}×{o.HiddenSize} tagger " +
                      $"({network.Parameters.Count:N0} parameters, {data.LabelCount} labels) on {_training.Length:N0} sentences ({tokens:N0} tokens), " +
                      $"validating on {_validation.Length:N0}.";
    }

    public SequenceTaggerNetwork Network { get; }

    /// <summary>Trains <paramref name="network"/> (initialised here from the seed) on <paramref name="data"/>.</summary>
    public static TrainingLoop Train(SequenceTaggerNetwork network, TaggingDataset data, TaggingDataset? validation, SequenceTaggerOptions o,
        IProgress<TrainingProgress>? progress = null, Action<string>? log = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(o);
        o.Validate();
        if (data.Count == 0) throw new ArgumentException("The training set holds no sentences.", nameof(data));
        using var threads = TrainingLoop.UseThreads(o);
        using var task = new SequenceTaggerTrainer(network, data, validation, o);
        var loop = new TrainingLoop(task, o);
        loop.Run(progress, log, cancellation);
        return loop;
    }

    public ParameterStore Parameters => Network.Parameters;
    public string Description { get; }
    public ulong Fingerprint { get; }

    public int BeginEpoch(int epoch)
    {
        _batches = LengthBuckets.Batches(_training, _data.Length, _options.BatchSize, _random);
        return _batches.Length;
    }

    public (double LossSum, double Count) TrainBatch(int batch, int iteration)
    {
        _rows = _batches[batch];
        _iteration = iteration;
        long tokens = 0;
        foreach (int row in _rows) tokens += _data.Length(row);
        _scale = 1f / tokens;
        return (_sharded.Run(_rows.Length), tokens);
    }

    // Shard s: forward and backward of sentences [first, end) of the batch on its own replica; their loss.
    private double RunShard(int s, int first, int end)
    {
        var batcher = _shards[s];
        var ws = batcher.Forward(_rows.AsSpan(first, end - first), new DropoutSeed(_seed, _iteration, first), _options.WordDropout);
        double loss = LossBackward(batcher.Network, ws, batcher.Labels(ws), _scale);
        batcher.Network.Backward(ws, batcher.Ids(ws));
        return loss;
    }

    public void Dispose() => _sharded.Dispose();

    public float EndEpoch(int epochsDone, float learningRate) => learningRate;

    public ValidationResult? Validate()
    {
        if (_validation.Length == 0) return null;
        var (loss, accuracy) = Evaluate(_validationBatcher ?? _batcher, _validation, Math.Max(_options.BatchSize, 64));
        return new ValidationResult(loss, accuracy);
    }

    public string? Sample() => null;

    // Only the weights and the optimizer (the loop's) carry over between batches.
    public void WriteState(BinaryWriter writer) { }

    public void ReadState(BinaryReader reader) { }

    /// <summary>
    /// Mean loss per token and token accuracy over <paramref name="rows"/>, without dropout, in batches of similar
    /// length. A token whose label training never saw counts as wrong; it is left out of the softmax loss, and read as
    /// label 0 in the CRF's (a sentence's CRF loss needs a whole label sequence).
    /// </summary>
    public static (double Loss, double Accuracy) Evaluate(TaggerBatcher batcher, int[] rows, int batchSize)
    {
        double loss = 0;
        long tokens = 0, right = 0;
        var network = batcher.Network;
        int labelCount = batcher.Data.LabelCount;
        var order = rows.OrderBy(batcher.Data.Length).ToArray();
        for (int start = 0; start < order.Length; start += batchSize)
        {
            var ws = batcher.Forward(order.AsSpan(start, Math.Min(batchSize, order.Length - start)), null);
            var labels = batcher.Labels(ws);
            var best = ws.Best.AsSpan(0, labels.Length);
            network.Decode(ws, best);
            for (int r = 0; r < labels.Length; r++)
            {
                if (labels[r] == TaggerBatcher.Padding) continue;
                tokens++;
                if (best[r] == labels[r]) right++;
                if (network.Crf == null && labels[r] != TaggingDataset.UnknownLabel)
                    loss += SoftmaxCrossEntropy.Loss(ws.Logits.AsSpan(r * labelCount, labelCount), labels.Slice(r, 1), 1, labelCount);
            }
            if (network.Crf is { } crf)
            {
                int[] known = [.. labels];
                for (int r = 0; r < known.Length; r++) if (known[r] == TaggingDataset.UnknownLabel) known[r] = 0;
                loss += crf.Loss(ws.Logits.AsSpan(0, labels.Length * labelCount), known, ws.Lengths, ws.Steps, ws.Batch);
            }
        }
        return (loss / Math.Max(tokens, 1), (double)right / Math.Max(tokens, 1));
    }

    // ws.Logits → their gradient (scale · dLoss/dLogits, zero on padded rows); returns the summed loss: per-step
    // softmax cross-entropy, or the CRF's negative log-likelihood of each sentence.
    private static double LossBackward(SequenceTaggerNetwork network, TaggerWorkspace ws, ReadOnlySpan<int> labels, float scale)
    {
        int labelCount = network.Shape.Labels;
        if (network.Crf is { } crf)
        {
            var logits = ws.Logits.AsSpan(0, labels.Length * labelCount);
            double nll = crf.ForwardBackward(logits, labels, ws.Lengths, ws.Steps, ws.Batch, ws.CrfGradient, scale);
            ws.CrfGradient.AsSpan(0, logits.Length).CopyTo(logits);
            return nll;
        }
        double loss = 0;
        for (int r = 0; r < labels.Length; r++)
        {
            var row = ws.Logits.AsSpan(r * labelCount, labelCount);
            if (labels[r] < 0) row.Clear();
            else loss += SoftmaxCrossEntropy.ForwardBackward(row, labels.Slice(r, 1), 1, labelCount, scale);
        }
        return loss;
    }

    private static ulong DataFingerprint(TaggingDataset data, TaggingDataset? validation, SequenceTaggerOptions o)
    {
        var hash = new XxHash64();
        foreach (var set in new[] { data, validation })
        {
            if (set == null) continue;
            for (int i = 0; i < set.Count; i++)
            {
                if (set.Words != null) hash.Append(MemoryMarshal.AsBytes(set.Words[i].AsSpan()));
                else hash.Append(MemoryMarshal.AsBytes(set.Features![i].AsSpan()));
                if (set.Characters != null)
                    foreach (var word in set.Characters[i]) hash.Append(MemoryMarshal.AsBytes(word.AsSpan()));
                hash.Append(MemoryMarshal.AsBytes(set.Labels[i].AsSpan()));
            }
        }
        hash.Append(Encoding.UTF8.GetBytes(string.Join('|', data.StepWidth, data.LabelCount, validation != null, o.TaskSettings())));
        return hash.GetCurrentHashAsUInt64();
    }
}
