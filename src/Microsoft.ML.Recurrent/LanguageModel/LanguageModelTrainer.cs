using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Numerics;
using Microsoft.ML.Recurrent.Persistence;
using Microsoft.ML.Recurrent.Training;

namespace Microsoft.ML.Recurrent.LanguageModel;

/// <summary>
/// The language model's part of <see cref="TrainingLoop"/>: truncated backpropagation through time over char-rnn's
/// B contiguous streams. Each batch is one T-step chunk; the hidden state is carried (detached) into the next chunk
/// and reset at the end of an epoch. The streams are split into one shard per thread, each with a replica of the
/// network (shared weights, own gradients and activations), so the threads never meet inside an iteration; their
/// gradients are summed in shard order. The carried states go into the loop's checkpoint; dropout masks derive from
/// the seed and the iteration, so they need no saved random state.
/// </summary>
internal sealed class LanguageModelTrainer : ITrainingTask, IDisposable
{
    private readonly CharLanguageModelOptions _options;
    private readonly int _seed;
    private readonly TextStreams _streams;
    private readonly LossEvaluator? _validation;
    private readonly Shard[] _shards;
    private readonly ShardRunner _runner;
    private readonly Action<int> _runShard;
    private int _chunk, _iteration;

    internal LanguageModelTrainer(string text, CharLanguageModelOptions options)
    {
        options.Validate();
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length < 2) throw new ArgumentException($"The training text has {text.Length} characters; at least 2 are needed (and far more to learn anything).", nameof(text));
        _options = options;
        _seed = options.EffectiveSeed;
        Vocabulary = CharVocabulary.FromText(text);
        int[] ids = Vocabulary.Encode(text);
        int validationLength = (int)(ids.Length * options.ValidationFraction);
        if (options.ValidationFraction > 0 && validationLength < 2)
            throw new ArgumentException($"ValidationFraction {options.ValidationFraction} of {ids.Length} characters leaves {validationLength} for validation; at least 2 are needed. Use more text or ValidationFraction = 0.", nameof(text));
        _streams = new TextStreams(ids[..^validationLength], options.BatchSize, options.SequenceLength, "training text");

        Network = new LanguageNetwork(new LanguageModelShape(options.Cell, Vocabulary.Count, options.HiddenSize, options.Layers, options.Dropout));
        Network.Initialize(new RandomSource(_seed), options.Initialization, options.InitScale);
        if (validationLength > 0)
            _validation = new LossEvaluator(Network, TextStreams.ForEvaluation(ids[^validationLength..], options.BatchSize, options.SequenceLength, "validation text"));
        int shards = Math.Clamp(KernelSettings.Threads, 1, options.BatchSize);
        _shards = [.. Enumerable.Range(0, shards).Select(s => new Shard(s == 0 ? Network : Network.CreateReplica(),
            firstStream: s * options.BatchSize / shards, streams: (s + 1) * options.BatchSize / shards - s * options.BatchSize / shards, options.SequenceLength))];
        _runner = new ShardRunner(shards);
        _runShard = RunShard;
        Fingerprint = LanguageFingerprint(ids, options);
        Loop = new TrainingLoop(this, options);
    }

    public CharVocabulary Vocabulary { get; }
    public LanguageNetwork Network { get; }
    /// <summary>The loop that trains this task.</summary>
    public TrainingLoop Loop { get; }
    internal Optimizer Optimizer => Loop.Optimizer;
    /// <summary>Minibatch updates done.</summary>
    public int Iterations => Loop.Iterations;
    /// <summary>Training time so far.</summary>
    public TimeSpan TrainingTime => Loop.TrainingTime;
    /// <summary>Validation loss at the latest evaluation.</summary>
    public double? LastValidationLoss => Loop.LastValidationLoss;
    /// <summary>The carried state of the first shard's streams (all streams when there is one shard).</summary>
    internal RecurrentState[] States => _shards[0].States;

    /// <summary>Trains on <paramref name="text"/>; resumes from the options' checkpoint when one exists.</summary>
    public static LanguageModelTrainer Run(string text, CharLanguageModelOptions options, IProgress<TrainingProgress>? progress,
        Action<string>? log, CancellationToken cancellationToken)
    {
        options.Validate(); // before the thread count is applied, so a bad one is reported by its option's name
        using var threads = TrainingLoop.UseThreads(options);
        var trainer = new LanguageModelTrainer(text, options);
        try
        {
            trainer.Loop.Run(progress, log, cancellationToken);
        }
        finally
        {
            trainer.Dispose();
        }
        return trainer;
    }

    /// <summary>One minibatch update (tests); returns the mean loss per character of the chunk before the update.</summary>
    internal double TrainStep() => Loop.Step().Loss;

    ParameterStore ITrainingTask.Parameters => Network.Parameters;

    public ulong Fingerprint { get; }

    public string Description
    {
        get
        {
            var o = _options;
            return $"Training {o.Cell} {o.Layers}×{o.HiddenSize} ({Network.Parameters.Count:N0} parameters) on {_streams.Characters:N0} characters " +
                   $"per epoch ({_streams.Chunks} chunks of {o.BatchSize}×{o.SequenceLength}), vocabulary {Vocabulary.Count}.";
        }
    }

    // The streams are contiguous text: no shuffling, every epoch reads the chunks in order.
    public int BeginEpoch(int epoch) => _streams.Chunks;

    public (double LossSum, double Count) TrainBatch(int batch, int iteration)
    {
        (_chunk, _iteration) = (batch, iteration);
        _runner.Run(_runShard);
        double lossSum = 0;
        foreach (var shard in _shards) lossSum += shard.LossSum;
        var gradients = Network.Parameters.Gradients;
        for (int s = 1; s < _shards.Length; s++)
            System.Numerics.Tensors.TensorPrimitives.Add(gradients, _shards[s].Network.Parameters.Gradients, gradients);
        return (lossSum, (double)_options.BatchSize * _options.SequenceLength);
    }

    public float EndEpoch(int epochsDone, float learningRate)
    {
        foreach (var shard in _shards)
            foreach (var s in shard.States) s.Reset();
        return epochsDone >= _options.DecayAfterEpoch ? learningRate * _options.LearningRateDecay : learningRate;
    }

    public ValidationResult? Validate() => _validation is null ? null : new ValidationResult(_validation.Evaluate());

    public string? Sample() => _options.SampleLength > 0
        ? string.Concat(new Sampler(Network, Vocabulary).Generate("", _options.SampleLength, 0.8f, _seed))
        : null;

    // Carried states as whole [B, H] arrays, whatever the shard count, so a checkpoint resumes on any thread count.
    public void WriteState(BinaryWriter writer)
    {
        for (int l = 0; l < Network.Shape.Layers; l++)
        {
            BinaryArrays.WriteFloats(writer, [.. _shards.SelectMany(s => s.States[l].H)]);
            BinaryArrays.WriteFloats(writer, [.. _shards.SelectMany(s => s.States[l].C)]);
        }
    }

    public void ReadState(BinaryReader reader)
    {
        for (int l = 0; l < Network.Shape.Layers; l++)
        {
            ReadSplit(reader, _shards.Select(s => s.States[l].H));
            ReadSplit(reader, _shards.Select(s => s.States[l].C));
        }
    }

    // One saved array into consecutive destinations (the shards' parts of a [B, H] state).
    private static void ReadSplit(BinaryReader r, IEnumerable<float[]> destinations)
    {
        var values = BinaryArrays.ReadFloats(r, "training checkpoint");
        int offset = 0;
        foreach (var d in destinations)
        {
            if (offset + d.Length > values.Length) break;
            values.AsSpan(offset, d.Length).CopyTo(d);
            offset += d.Length;
        }
        if (offset != values.Length || destinations.Sum(d => d.Length) != values.Length)
            throw new InvalidDataException($"a saved buffer holds {values.Length} values instead of {destinations.Sum(d => d.Length)}");
    }

    /// <summary>Identifies the text and the language model's own options that shape the trajectory.</summary>
    private static ulong LanguageFingerprint(int[] ids, CharLanguageModelOptions o)
    {
        var hash = new XxHash64();
        hash.Append(MemoryMarshal.AsBytes(ids.AsSpan()));
        hash.Append(Encoding.UTF8.GetBytes(string.Join('|', o.SequenceLength, o.LearningRateDecay, o.DecayAfterEpoch, o.Initialization, o.InitScale, o.SumLoss)));
        return hash.GetCurrentHashAsUInt64();
    }

    // Forward and backward of one shard's streams; gradients accumulate in the shard's replica.
    private void RunShard(int index)
    {
        var o = _options;
        var shard = _shards[index];
        int rows = shard.Inputs.Length, vocabulary = Vocabulary.Count;
        _streams.Fill(_chunk, shard.Inputs, shard.Targets, shard.FirstStream, shard.Inputs.Length / o.SequenceLength);
        shard.Network.Parameters.ZeroGradients();
        shard.Network.Forward(shard.Workspace, shard.Inputs, shard.States, o.SequenceLength, new DropoutSeed(_seed, _iteration, shard.FirstStream));
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
        public LanguageModelWorkspace Workspace { get; } = network.CreateWorkspace(steps, streams);
        public RecurrentState[] States { get; } = network.CreateStates(streams);
        public int[] Inputs { get; } = new int[steps * streams];
        public int[] Targets { get; } = new int[steps * streams];
        public double LossSum { get; set; }
    }
}
