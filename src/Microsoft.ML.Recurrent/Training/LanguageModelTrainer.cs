using System.Diagnostics;
using Microsoft.ML.Recurrent.Decoding;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Models;
using Microsoft.ML.Recurrent.Numerics;

namespace Microsoft.ML.Recurrent.Training;

/// <summary>
/// Truncated backpropagation through time over char-rnn's B contiguous streams: each iteration runs
/// forward and backward over one T-step chunk, carrying the hidden state (detached) into the next chunk,
/// clips, and updates. The streams are split into one shard per thread, each with a replica of the network
/// (shared weights, own gradients and activations), so the threads never meet inside an iteration; their
/// gradients are summed in shard order. Everything that shapes the trajectory (weights, optimizer moments,
/// carried state, position) is checkpointed, so a resumed run continues exactly as an uninterrupted one;
/// dropout masks derive from the seed and the iteration, so they need no saved random state.
/// </summary>
internal sealed partial class LanguageModelTrainer : IDisposable
{
    private readonly CharLanguageModelOptions _options;
    private readonly TextStreams _streams;
    private readonly LossEvaluator? _validation;
    private readonly Shard[] _shards;
    private readonly ShardRunner _runner;
    private readonly Action<int> _runShard;
    private readonly ulong _fingerprint;

    // The state a checkpoint saves (with the shards' carried states).
    private readonly Optimizer _optimizer;
    private int _iteration, _chunk, _epoch;
    private float _learningRate;
    private double _smoothLoss = double.NaN, _bestValidationLoss = double.NaN;
    private float[]? _bestParameters;
    private TimeSpan _trainingTime;

    internal LanguageModelTrainer(string text, CharLanguageModelOptions options)
    {
        options.Validate();
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length < 2) throw new ArgumentException($"The training text has {text.Length} characters; at least 2 are needed (and far more to learn anything).", nameof(text));
        _options = options;
        Vocabulary = CharVocabulary.FromText(text);
        int[] ids = Vocabulary.Encode(text);
        int validationLength = (int)(ids.Length * (double)options.ValidationFraction);
        if (options.ValidationFraction > 0 && validationLength < 2)
            throw new ArgumentException($"ValidationFraction {options.ValidationFraction} of {ids.Length} characters leaves {validationLength} for validation; at least 2 are needed. Use more text or ValidationFraction = 0.", nameof(text));
        _streams = new TextStreams(ids[..^validationLength], options.BatchSize, options.SequenceLength, "training text");

        Network = new LanguageNetwork(new NetworkShape(options.Cell, Vocabulary.Count, options.HiddenSize, options.Layers, options.Dropout));
        Network.Initialize(new RandomSource(options.Seed), options.Initialization, options.InitScale);
        if (validationLength > 0)
            _validation = new LossEvaluator(Network, TextStreams.ForEvaluation(ids[^validationLength..], options.BatchSize, options.SequenceLength, "validation text"));
        int shards = Math.Clamp(KernelSettings.MaxThreads, 1, options.BatchSize);
        _shards = [.. Enumerable.Range(0, shards).Select(s => new Shard(s == 0 ? Network : Network.CreateReplica(),
            firstStream: s * options.BatchSize / shards, streams: (s + 1) * options.BatchSize / shards - s * options.BatchSize / shards, options.SequenceLength))];
        _runner = new ShardRunner(shards);
        _runShard = RunShard;
        _optimizer = Optimizer.Create(options.Optimizer, Network.Parameters.Count);
        _learningRate = options.LearningRate;
        _fingerprint = Fingerprint(ids, options);
    }

    public CharVocabulary Vocabulary { get; }
    public LanguageNetwork Network { get; }
    public double? BestValidationLoss => double.IsNaN(_bestValidationLoss) ? null : _bestValidationLoss;
    /// <summary>Validation loss at the latest evaluation.</summary>
    public double? LastValidationLoss { get; private set; }
    public int Iterations => _iteration;
    internal Optimizer Optimizer => _optimizer;
    /// <summary>The carried state of the first shard's streams (all streams when there is one shard).</summary>
    internal RecurrentState[] States => _shards[0].States;
    public TimeSpan TrainingTime => _trainingTime;

    /// <summary>Trains on <paramref name="text"/>; resumes from the options' checkpoint when one exists.</summary>
    public static LanguageModelTrainer Run(string text, CharLanguageModelOptions options, IProgress<TrainingProgress>? progress,
        Action<string>? log, CancellationToken cancellationToken)
    {
        using var trainer = new LanguageModelTrainer(text, options);
        if (options.CheckpointPath != null && File.Exists(options.CheckpointPath))
        {
            trainer.RestoreCheckpoint(options.CheckpointPath);
            log?.Invoke($"Resumed from checkpoint '{options.CheckpointPath}' at iteration {trainer._iteration}.");
        }
        trainer.Loop(progress, log, cancellationToken);
        return trainer;
    }

    private void Loop(IProgress<TrainingProgress>? progress, Action<string>? log, CancellationToken cancellationToken)
    {
        var o = _options;
        log?.Invoke($"Training {o.Cell} {o.Layers}×{o.HiddenSize} ({Network.Parameters.Count:N0} parameters) on {_streams.Characters:N0} characters " +
                    $"per epoch ({_streams.Chunks} chunks of {o.BatchSize}×{o.SequenceLength}), vocabulary {Vocabulary.Count}.");
        var clock = new Stopwatch();
        long charsThisRun = 0, charsPerIteration = (long)o.BatchSize * o.SequenceLength;
        var sessionStart = _trainingTime;
        while (!ShouldStop())
        {
            cancellationToken.ThrowIfCancellationRequested();
            clock.Restart();
            double loss = TrainStep();
            _trainingTime += clock.Elapsed;
            charsThisRun += charsPerIteration;
            _smoothLoss = double.IsNaN(_smoothLoss) ? loss : 0.98 * _smoothLoss + 0.02 * loss;

            bool stopping = ShouldStop();
            double cps = charsThisRun / Math.Max((_trainingTime - sessionStart).TotalSeconds, 1e-9);
            if (_iteration % o.EvaluateEvery == 0 || stopping)
                Evaluate(progress, log, cps);
            else if (_iteration % o.ReportEvery == 0)
                progress?.Report(Report(null, null, cps));
        }
        if (o.KeepBest && _bestParameters != null) _bestParameters.CopyTo(Network.Parameters.Values, 0);
    }

    /// <summary>One minibatch update; returns the mean loss per character of the chunk before the update.</summary>
    internal double TrainStep()
    {
        var o = _options;
        _runner.Run(_runShard);
        double lossSum = 0;
        foreach (var shard in _shards) lossSum += shard.LossSum;
        double loss = lossSum / ((double)o.BatchSize * o.SequenceLength);
        if (!double.IsFinite(loss)) throw Diverged($"the training loss is {loss}");

        var gradients = Network.Parameters.Gradients;
        for (int s = 1; s < _shards.Length; s++)
            System.Numerics.Tensors.TensorPrimitives.Add(gradients, _shards[s].Network.Parameters.Gradients, gradients);
        if (o.GradientClip > 0) VectorKernels.Clamp(gradients, o.GradientClip);
        if (o.MaxGradientNorm > 0)
        {
            double norm = Math.Sqrt(VectorKernels.SumOfSquares(gradients));
            if (!double.IsFinite(norm)) throw Diverged($"the gradient norm is {norm}");
            if (norm > o.MaxGradientNorm) VectorKernels.Scale(gradients, (float)(o.MaxGradientNorm / norm));
        }
        _optimizer.Step(Network.Parameters.Values, gradients, _learningRate);

        _iteration++;
        if (++_chunk == _streams.Chunks)
        {
            _chunk = 0;
            _epoch++;
            foreach (var shard in _shards)
                foreach (var s in shard.States) s.Reset();
            if (_epoch >= o.DecayAfterEpoch) _learningRate *= o.LearningRateDecay;
        }
        return loss;
    }

    // Forward and backward of one shard's streams; gradients accumulate in the shard's replica.
    private void RunShard(int index)
    {
        var o = _options;
        var shard = _shards[index];
        int rows = shard.Inputs.Length, vocabulary = Vocabulary.Count;
        _streams.Fill(_chunk, shard.Inputs, shard.Targets, shard.FirstStream, shard.Inputs.Length / o.SequenceLength);
        shard.Network.Parameters.ZeroGradients();
        shard.Network.Forward(shard.Workspace, shard.Inputs, shard.States, o.SequenceLength, new DropoutSeed(o.Seed, _iteration, shard.FirstStream));
        shard.LossSum = SoftmaxCrossEntropy.ForwardBackward(shard.Workspace.Logits.AsSpan(0, rows * vocabulary), shard.Targets, rows, vocabulary,
            o.SumLoss ? 1f : 1f / (o.BatchSize * o.SequenceLength));
        if (double.IsFinite(shard.LossSum)) shard.Network.Backward(shard.Workspace, shard.Inputs, o.SequenceLength);
    }

    public void Dispose() => _runner.Dispose();

    /// <summary>A block of streams trained by one thread, with its own replica, activations and carried state.</summary>
    private sealed class Shard(LanguageNetwork network, int firstStream, int streams, int steps)
    {
        public LanguageNetwork Network { get; } = network;
        public int FirstStream { get; } = firstStream;
        public NetworkWorkspace Workspace { get; } = network.CreateWorkspace(steps, streams);
        public RecurrentState[] States { get; } = network.CreateStates(streams);
        public int[] Inputs { get; } = new int[steps * streams];
        public int[] Targets { get; } = new int[steps * streams];
        public double LossSum { get; set; }
    }

    private double Epochs => _epoch + (double)_chunk / _streams.Chunks;

    private bool ShouldStop() =>
        _iteration >= _options.MaxIterations ||
        Epochs >= _options.MaxEpochs ||
        _trainingTime >= _options.TimeBudget;

    private void Evaluate(IProgress<TrainingProgress>? progress, Action<string>? log, double charsPerSecond)
    {
        double? validation = null;
        if (_validation != null)
        {
            double v = _validation.Evaluate();
            if (!double.IsFinite(v)) throw Diverged($"the validation loss is {v}");
            validation = v;
            LastValidationLoss = v;
            if (double.IsNaN(_bestValidationLoss) || v < _bestValidationLoss)
            {
                _bestValidationLoss = v;
                _bestParameters ??= new float[Network.Parameters.Count];
                Network.Parameters.Values.CopyTo(_bestParameters, 0);
            }
        }
        if (_options.CheckpointPath != null) SaveCheckpoint(_options.CheckpointPath);
        string? sample = _options.SampleLength > 0
            ? string.Concat(new Sampler(Network, Vocabulary).Generate("", _options.SampleLength, 0.8f, _options.Seed))
            : null;
        var report = Report(validation, sample, charsPerSecond);
        log?.Invoke($"iteration {report.Iteration}, epoch {report.Epoch:F2}: train loss {report.TrainLoss:F4}" +
                    (validation is double vl ? $", validation loss {vl:F4} nats ({report.ValidationBitsPerChar:F3} bits) per character" : "") +
                    $", {charsPerSecond:N0} chars/s");
        progress?.Report(report);
    }

    private TrainingProgress Report(double? validation, string? sample, double charsPerSecond)
    {
        var o = _options;
        double secondsPerIteration = _trainingTime.TotalSeconds / Math.Max(_iteration, 1);
        var left = new List<double>();
        if (o.MaxIterations is int mi) left.Add((mi - _iteration) * secondsPerIteration);
        if (o.MaxEpochs is double me) left.Add((me - Epochs) * _streams.Chunks * secondsPerIteration);
        if (o.TimeBudget is TimeSpan tb) left.Add((tb - _trainingTime).TotalSeconds);
        return new TrainingProgress
        {
            Iteration = _iteration,
            Epoch = Epochs,
            TrainLoss = _smoothLoss,
            ValidationLoss = validation,
            CharsPerSecond = charsPerSecond,
            Elapsed = _trainingTime,
            Remaining = left.Count > 0 ? TimeSpan.FromSeconds(Math.Max(0, left.Min())) : null,
            Sample = sample,
        };
    }

    private InvalidOperationException Diverged(string what) => new(
        $"Training diverged at iteration {_iteration + 1}: {what}. Lower the learning rate or enable clipping." +
        (_options.CheckpointPath != null ? $" The last good checkpoint '{_options.CheckpointPath}' is intact." : ""));
}
