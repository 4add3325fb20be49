using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Numerics;
using Microsoft.ML.Recurrent.Training;

namespace Microsoft.ML.Recurrent.Translation;

/// <summary>
/// The translator's part of <see cref="TrainingLoop"/>: minibatches of pairs of similar length (shuffled within length
/// buckets each epoch), the mean per-token cross-entropy of the reference's next token under teacher forcing, and
/// validation loss and next-token accuracy; the loop clips, validates, stops early and keeps the best weights. A
/// batch's pairs are split into one shard per thread, each with a replica of the network (shared weights, own
/// gradients and activations), their gradients summed in shard order; dropout masks derive from the seed, the
/// iteration and each pair's place in the batch. Seeded, so deterministic for a given thread count.
/// </summary>
internal sealed class SequenceTranslatorTrainer : ITrainingTask, IDisposable
{
    private readonly SequenceTranslatorOptions _options;
    private readonly TranslationDataset _data;
    private readonly TranslatorBatcher _batcher;
    private readonly TranslatorBatcher? _validationBatcher;
    private readonly TranslatorBatcher[] _shards;
    private readonly ShardedBatch _sharded;
    private readonly RandomSource _random;
    private readonly int[] _training, _validation;
    private readonly int[][] _validationSources;
    private readonly int[][][] _validationReferences;
    private TranslatorSearch? _search;
    private readonly int _seed;
    private int[] _rows = [];
    private int _iteration;
    private float _scale;
    private int[][] _batches = [];

    private SequenceTranslatorTrainer(TranslatorNetwork network, TranslationDataset data, TranslationDataset? validation, SequenceTranslatorOptions o)
    {
        _options = o;
        _data = data;
        _seed = o.EffectiveSeed;
        _random = new RandomSource(_seed);
        network.Initialize(_random);
        (_training, _validation) = ValidationSplit.Of(data.Count, validation?.Count, o.ValidationFraction, _random);
        if (_training.Length == 0) throw new ArgumentException("No training pairs are left after holding out the validation fraction.", nameof(data));
        (_validationSources, _validationReferences) = BySource(validation ?? data, _validation);
        _batcher = new TranslatorBatcher(network, data);
        _validationBatcher = validation != null ? new TranslatorBatcher(network, validation) : null;
        _shards = [_batcher, .. Enumerable.Range(1, ShardedBatch.Count(o.BatchSize) - 1).Select(_ => new TranslatorBatcher(network.CreateReplica(), data))];
        _sharded = new ShardedBatch([.. _shards.Select(b => b.Network.Parameters)], RunShard);
        Network = network;
        Fingerprint = DataFingerprint(data, validation, o);
        long tokens = _training.Sum(s => (long)data.Targets[s].Length + 1);
        var shape = network.Shape;
        Description = $"Training a {(shape.Encoder.Bidirectional ? "bidirectional " : "")}{o.Cell} {o.Layers}×{o.HiddenSize} encoder–decoder with {o.Attention} attention " +
                      $"({network.Parameters.Count:N0} parameters, {shape.SourceVocabulary:N0} source and {shape.TargetVocabulary:N0} target tokens) on " +
                      $"{_training.Length:N0} pairs ({tokens:N0} target tokens), validating on {_validation.Length:N0}.";
    }

    public TranslatorNetwork Network { get; }

    /// <summary>Trains <paramref name="network"/> (initialised here from the seed) on <paramref name="data"/>.</summary>
    public static TrainingLoop Train(TranslatorNetwork network, TranslationDataset data, TranslationDataset? validation, SequenceTranslatorOptions o,
        IProgress<TrainingProgress>? progress = null, Action<string>? log = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(o);
        o.Validate();
        if (data.Count == 0) throw new ArgumentException("The training set holds no pairs.", nameof(data));
        using var threads = TrainingLoop.UseThreads(o);
        using var task = new SequenceTranslatorTrainer(network, data, validation, o);
        var loop = new TrainingLoop(task, o);
        loop.Run(progress, log, cancellation);
        return loop;
    }

    public ParameterStore Parameters => Network.Parameters;
    public string Description { get; }
    public ulong Fingerprint { get; }

    public int BeginEpoch(int epoch)
    {
        _batches = LengthBuckets.Batches(_training, LengthKey, _options.BatchSize, _random);
        return _batches.Length;
    }

    // Sorted by source length, then target length: both sides of a batch pad little.
    private int LengthKey(int row) => _data.Sources[row].Length * (1 << 16) + _data.Targets[row].Length;

    public (double LossSum, double Count) TrainBatch(int batch, int iteration)
    {
        _rows = _batches[batch];
        _iteration = iteration;
        long tokens = _batcher.TargetTokens(_rows);
        _scale = 1f / tokens;
        return (_sharded.Run(_rows.Length), tokens);
    }

    // Shard s: forward and backward of pairs [first, end) of the batch on its own replica; their loss.
    private double RunShard(int s, int first, int end)
    {
        var batcher = _shards[s];
        var ws = batcher.Forward(_rows.AsSpan(first, end - first), new DropoutSeed(_seed, _iteration, first));
        double loss = LossBackward(ws, batcher.Targets(ws), batcher.Network.Shape.TargetVocabulary, _scale);
        batcher.Network.Backward(ws, batcher.Source(ws), batcher.Inputs(ws));
        return loss;
    }

    public void Dispose() => _sharded.Dispose();

    public float EndEpoch(int epochsDone, float learningRate) => learningRate;

    public ValidationResult? Validate()
    {
        if (_validation.Length == 0) return null;
        var (loss, accuracy) = Evaluate(_validationBatcher ?? _batcher, _validation, Math.Max(_options.BatchSize, 64));
        return new ValidationResult(loss, accuracy, Selection());
    }

    // The options' validation metric of greedy translations of the validation sources, or null to select on the loss.
    private SelectionMetric? Selection()
    {
        var metric = _options.ValidationMetric;
        if (metric == TranslationValidationMetric.Loss) return null;
        _search ??= new TranslatorSearch(Network);
        var m = TranslationEvaluator.EvaluateIds(_search.GreedyInBatches(_validationSources, TranslationDecoding.Greedy), _validationReferences);
        return metric switch
        {
            TranslationValidationMetric.Bleu => new SelectionMetric("BLEU", m.Bleu, HigherIsBetter: true),
            TranslationValidationMetric.SequenceErrorRate => new SelectionMetric(nameof(m.SequenceErrorRate), m.SequenceErrorRate, HigherIsBetter: false),
            _ => new SelectionMetric(nameof(m.TokenErrorRate), m.TokenErrorRate, HigherIsBetter: false),
        };
    }

    // The distinct sources among rows of set, each with its targets as references (a word's pronunciations, a sentence's
    // translations), as the public Evaluate groups pairs. A reference's unknown token (id 0) becomes −2, which no output
    // equals: a translation that writes the unknown token has not matched the word the reference holds.
    private static (int[][] Sources, int[][][] References) BySource(TranslationDataset set, int[] rows)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var sources = new List<int[]>();
        var references = new List<List<int[]>>();
        foreach (int row in rows)
        {
            string key = string.Join(',', set.Sources[row]);
            if (!index.TryGetValue(key, out int i))
            {
                index[key] = i = sources.Count;
                sources.Add(set.Sources[row]);
                references.Add([]);
            }
            references[i].Add([.. set.Targets[row].Select(id => id == TranslatorVocabulary.Unknown ? -2 : id)]);
        }
        return ([.. sources], [.. references.Select(r => r.ToArray())]);
    }

    public string? Sample() => null;

    // Only the weights and the optimizer (the loop's) carry over between batches.
    public void WriteState(BinaryWriter writer) { }

    public void ReadState(BinaryReader reader) { }

    /// <summary>Mean loss per target token and next-token accuracy under teacher forcing over <paramref name="rows"/>, without dropout.</summary>
    public static (double Loss, double Accuracy) Evaluate(TranslatorBatcher batcher, int[] rows, int batchSize)
    {
        double loss = 0;
        long tokens = 0, right = 0;
        int v = batcher.Network.Shape.TargetVocabulary;
        var order = rows.OrderBy(r => batcher.Data.Sources[r].Length).ThenBy(r => batcher.Data.Targets[r].Length).ToArray();
        for (int start = 0; start < order.Length; start += batchSize)
        {
            var ws = batcher.Forward(order.AsSpan(start, Math.Min(batchSize, order.Length - start)), null);
            var targets = batcher.Targets(ws);
            for (int r = 0; r < targets.Length; r++)
            {
                if (targets[r] == TranslatorBatcher.Padding) continue;
                var logits = ws.Logits.AsSpan(r * v, v);
                tokens++;
                if (System.Numerics.Tensors.TensorPrimitives.IndexOfMax<float>(logits) == targets[r]) right++;
                loss += SoftmaxCrossEntropy.Loss(logits, targets.Slice(r, 1), 1, v);
            }
        }
        return (loss / Math.Max(tokens, 1), (double)right / Math.Max(tokens, 1));
    }

    // ws.Logits → scale · dLoss/dLogits (zero on padded steps); returns the summed cross-entropy.
    private static double LossBackward(TranslatorWorkspace ws, ReadOnlySpan<int> targets, int vocabulary, float scale)
    {
        double loss = 0;
        for (int r = 0; r < targets.Length; r++)
        {
            var row = ws.Logits.AsSpan(r * vocabulary, vocabulary);
            if (targets[r] < 0) row.Clear();
            else loss += SoftmaxCrossEntropy.ForwardBackward(row, targets.Slice(r, 1), 1, vocabulary, scale);
        }
        return loss;
    }

    private static ulong DataFingerprint(TranslationDataset data, TranslationDataset? validation, SequenceTranslatorOptions o)
    {
        var hash = new XxHash64();
        foreach (var set in new[] { data, validation })
        {
            if (set == null) continue;
            for (int i = 0; i < set.Count; i++)
            {
                hash.Append(MemoryMarshal.AsBytes(set.Sources[i].AsSpan()));
                hash.Append(MemoryMarshal.AsBytes(set.Targets[i].AsSpan()));
            }
        }
        hash.Append(Encoding.UTF8.GetBytes(string.Join('|', validation != null, o.TaskSettings())));
        return hash.GetCurrentHashAsUInt64();
    }
}
