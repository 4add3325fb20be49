using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Numerics;
using Microsoft.ML.Recurrent.Text;
using Microsoft.ML.Recurrent.Training;

namespace Microsoft.ML.Recurrent.Captioning;

/// <summary>
/// The captioner's part of <see cref="TrainingLoop"/>: teacher-forced training on (image, caption) pairs. Each
/// minibatch feeds &lt;START&gt; w1 … wn and predicts w1 … wn &lt;END&gt;. Captions are right-padded to the batch's
/// longest; padded positions have no target, so their upstream gradient is zero — exact, because nothing after a
/// caption's end feeds back into it. A caption cut at the maximum length has no &lt;END&gt; target: it did not end
/// there, and teaching that it did makes the model stop mid-sentence. The pairs are reshuffled every epoch and the
/// last partial batch is dropped (the workspace has a fixed batch). With a validation fraction, that fraction of the
/// images (with all their captions) is held out and validated on by the mean loss per word.
/// </summary>
internal sealed class CaptionTrainer : ITrainingTask
{
    private readonly CaptionNetwork _network;
    private readonly float[] _features;
    private readonly IReadOnlyList<(int Image, int[] Words, bool Cut)> _pairs;
    private readonly int[] _order, _validation;
    private readonly RandomSource _random;
    private readonly int _seed, _batch;
    private readonly float _coverage, _wordDropout;
    private readonly RandomSource _wordDrop = new(0);
    private readonly CaptionWorkspace _workspace;
    private readonly RecurrentState[] _states;
    private readonly float[] _batchFeatures;
    private readonly int[] _ids, _targets;

    private CaptionTrainer(CaptionNetwork network, float[] features, IReadOnlyList<(int Image, int[] Words, bool Cut)> pairs, CaptionerOptions options)
    {
        _network = network;
        _features = features;
        _pairs = pairs;
        _seed = options.EffectiveSeed;
        _coverage = network.Shape.Attends ? options.AttentionCoverage : 0f;
        _wordDropout = options.WordDropout;
        int f = network.Shape.Features, maxSteps = options.MaxCaptionLength + 1;
        (var training, _validation) = Split(pairs, features.Length / f, options.ValidationFraction, _seed);
        _order = training;
        _batch = Math.Min(options.BatchSize, _order.Length);
        _random = new RandomSource(_seed);
        network.Initialize(_random);
        _workspace = network.CreateWorkspace(maxSteps, _batch);
        _states = network.CreateStates(_batch);
        _batchFeatures = new float[_batch * f];
        _ids = new int[maxSteps * _batch];
        _targets = new int[maxSteps * _batch];
        Fingerprint = CaptionFingerprint(features, pairs, options);
        string attending = network.Shape.Attends ? $" attending to {network.Shape.Regions} regions" : "";
        Description = $"Training a {options.Cell} {options.Layers}×{options.HiddenSize} captioner{attending} ({network.Parameters.Count:N0} parameters) on " +
                      $"{_order.Length:N0} (image, caption) pairs" + (_validation.Length > 0 ? $", validating on {_validation.Length:N0}." : ".");
    }

    /// <param name="network">The network to initialise and train.</param>
    /// <param name="features">Normalised image features [images, F].</param>
    /// <param name="pairs">Image index, word ids (without &lt;START&gt;/&lt;END&gt;) and whether it was cut, of each training caption.</param>
    /// <param name="options">Training settings (validated by the caller).</param>
    /// <param name="log">Receives the loop's lines.</param>
    /// <param name="cancellationToken">Checked before every minibatch.</param>
    public static TrainingLoop Train(CaptionNetwork network, float[] features, IReadOnlyList<(int Image, int[] Words, bool Cut)> pairs,
        CaptionerOptions options, Action<string>? log, CancellationToken cancellationToken)
    {
        using var threads = TrainingLoop.UseThreads(options);
        var loop = new TrainingLoop(new CaptionTrainer(network, features, pairs, options), options);
        loop.Run(null, log, cancellationToken);
        return loop;
    }

    public ParameterStore Parameters => _network.Parameters;
    public string Description { get; }
    public ulong Fingerprint { get; }

    public int BeginEpoch(int epoch)
    {
        Shuffling.Shuffle(_order.AsSpan(), _random);
        return _order.Length / _batch;
    }

    public (double LossSum, double Count) TrainBatch(int batch, int iteration)
    {
        int v = _network.Shape.Vocabulary;
        int steps = Fill(_pairs, _order.AsSpan(batch * _batch, _batch), _features, _network.Shape.Features, _batchFeatures, _ids, _targets, out int count);
        int rows = steps * _batch;
        if (_wordDropout > 0) DropWords(steps, iteration);
        _network.Parameters.ZeroGradients();
        _network.Begin(_workspace, _batchFeatures, _states);
        _network.Forward(_workspace, _ids.AsSpan(0, rows), _states, steps, new DropoutSeed(_seed, iteration));
        double loss = SoftmaxCrossEntropy.ForwardBackward(_workspace.Logits.AsSpan(0, rows * v), _targets.AsSpan(0, rows), rows, v, 1f / count);
        // The regulariser's gradient joins the cross-entropy's; the reported loss stays the cross-entropy.
        if (_coverage > 0) _network.CoveragePenalty(_workspace, _targets.AsSpan(0, rows), steps, _coverage, 1f / count);
        if (double.IsFinite(loss)) _network.Backward(_workspace, _ids.AsSpan(0, rows), _batchFeatures, steps);
        return (loss, count);
    }

    // Each fed word after <START> becomes <UNK> with probability WordDropout, drawn from the iteration's seed (the dropout
    // masks' layers are 0 and up), so a resumed run drops the same words.
    private void DropWords(int steps, int iteration)
    {
        _wordDrop.Reseed(new DropoutSeed(_seed, iteration).ForRow(layer: -2, step: 0, stream: 0));
        foreach (ref int id in _ids.AsSpan(_batch, (steps - 1) * _batch))
            if (_wordDrop.NextFloat() < _wordDropout) id = WordVocabulary.Unknown;
    }

    public float EndEpoch(int epochsDone, float learningRate) => learningRate;

    // Mean loss per word of the held-out captions, teacher-forced and without dropout, in batches of the training size.
    public ValidationResult? Validate()
    {
        if (_validation.Length == 0) return null;
        int v = _network.Shape.Vocabulary;
        double loss = 0;
        long words = 0;
        for (int first = 0; first < _validation.Length; first += _batch)
        {
            // A last, partial batch is topped up with pairs already counted, whose targets are then masked out.
            var chosen = Enumerable.Range(first, _batch).Select(i => _validation[Math.Min(i, _validation.Length - 1)]).ToArray();
            int steps = Fill(_pairs, chosen, _features, _network.Shape.Features, _batchFeatures, _ids, _targets, out _);
            for (int b = _validation.Length - first; b < _batch; b++)
                for (int t = 0; t < steps; t++) _targets[t * _batch + b] = -1;
            int rows = steps * _batch;
            _network.Begin(_workspace, _batchFeatures, _states);
            _network.Forward(_workspace, _ids.AsSpan(0, rows), _states, steps, null);
            loss += SoftmaxCrossEntropy.Loss(_workspace.Logits.AsSpan(0, rows * v), _targets.AsSpan(0, rows), rows, v);
            foreach (int target in _targets.AsSpan(0, rows)) if (target >= 0) words++;
        }
        return new ValidationResult(loss / words);
    }

    public string? Sample() => null;

    // Nothing carries over between batches: every batch begins from its images.
    public void WriteState(BinaryWriter writer) { }

    public void ReadState(BinaryReader reader) { }

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

    // Holds out whole images, so no caption of a validation image is trained on. Without validation nothing is drawn,
    // and the pairs keep their order; the split has its own generator, so it does not move the training draws.
    private static (int[] Training, int[] Validation) Split(IReadOnlyList<(int Image, int[] Words, bool Cut)> pairs, int images, double fraction, int seed)
    {
        var all = Enumerable.Range(0, pairs.Count).ToArray();
        int heldOut = (int)(images * fraction);
        if (heldOut == 0) return (all, []);
        var imageOrder = Enumerable.Range(0, images).ToArray();
        Shuffling.Shuffle(imageOrder.AsSpan(), new RandomSource((long)RandomSource.Mix((ulong)seed)));
        var validationImages = imageOrder[..heldOut].ToHashSet();
        var training = all.Where(p => !validationImages.Contains(pairs[p].Image)).ToArray();
        if (training.Length == 0) throw new ArgumentException($"ValidationFraction {fraction} holds out every captioned image; lower it.", nameof(fraction));
        return (training, [.. all.Where(p => validationImages.Contains(pairs[p].Image))]);
    }

    private static ulong CaptionFingerprint(float[] features, IReadOnlyList<(int Image, int[] Words, bool Cut)> pairs, CaptionerOptions o)
    {
        var hash = new XxHash64();
        hash.Append(MemoryMarshal.AsBytes(features.AsSpan()));
        foreach (var (image, words, cut) in pairs)
        {
            hash.Append(BitConverter.GetBytes(image));
            hash.Append(MemoryMarshal.AsBytes(words.AsSpan()));
            hash.Append([cut ? (byte)1 : (byte)0, 0xFF]);
        }
        hash.Append(Encoding.UTF8.GetBytes(string.Join('|', o.EmbeddingSize, o.Conditioning, o.MinWordCount, o.MaxCaptionLength,
            o.AttentionRegions, o.EffectiveAttentionSize, o.AttentionGate, o.AttentionQuery, o.AttentionCoverage, o.WordDropout)));
        return hash.GetCurrentHashAsUInt64();
    }
}
