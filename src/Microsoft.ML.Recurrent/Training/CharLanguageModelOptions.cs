namespace Microsoft.ML.Recurrent;

/// <summary>Options for training a character-level language model (defaults follow char-rnn).</summary>
public sealed class CharLanguageModelOptions
{
    /// <summary>Recurrent cell of every layer.</summary>
    public RecurrentCell Cell { get; set; } = RecurrentCell.Lstm;
    /// <summary>Hidden units per layer.</summary>
    public int HiddenSize { get; set; } = 128;
    /// <summary>Number of stacked recurrent layers.</summary>
    public int Layers { get; set; } = 2;
    /// <summary>Dropout probability between stacked layers and before the output layer (0 = none).</summary>
    public float Dropout { get; set; }
    /// <summary>Number of parallel contiguous streams the training text is split into (minibatch size).</summary>
    public int BatchSize { get; set; } = 50;
    /// <summary>Time steps per truncated-BPTT chunk; the hidden state is carried across chunks.</summary>
    public int SequenceLength { get; set; } = 50;
    /// <summary>Optimizer.</summary>
    public OptimizerKind Optimizer { get; set; } = OptimizerKind.Adam;
    /// <summary>Learning rate.</summary>
    public float LearningRate { get; set; } = 2e-3f;
    /// <summary>Multiplicative learning-rate decay applied at the end of every epoch from <see cref="DecayAfterEpoch"/> on (1 = none).</summary>
    public float LearningRateDecay { get; set; } = 1f;
    /// <summary>First epoch (1-based) after which <see cref="LearningRateDecay"/> applies.</summary>
    public int DecayAfterEpoch { get; set; } = 10;
    /// <summary>Element-wise gradient clipping to [−c, c] (0 = off). min-char-rnn and char-rnn use 5.</summary>
    public float GradientClip { get; set; } = 5f;
    /// <summary>Global L2-norm gradient clipping (0 = off).</summary>
    public float MaxGradientNorm { get; set; }
    /// <summary>Stop after this many iterations (null = no limit).</summary>
    public int? MaxIterations { get; set; }
    /// <summary>Stop after this many epochs (null = no limit).</summary>
    public double? MaxEpochs { get; set; }
    /// <summary>Stop after this much training time (null = no limit). At least one stopping rule must be set.</summary>
    public TimeSpan? TimeBudget { get; set; }
    /// <summary>Fraction of the text (at its end) held out for validation (0 = none).</summary>
    public float ValidationFraction { get; set; } = 0.1f;
    /// <summary>Evaluate the validation loss every this many iterations (and at the end).</summary>
    public int EvaluateEvery { get; set; } = 500;
    /// <summary>Seed for initialisation, dropout and anything else random: the same seed gives the same model.</summary>
    public int Seed { get; set; } = 1;
    /// <summary>How the weights are initialised.</summary>
    public WeightInitialization Initialization { get; set; } = WeightInitialization.Uniform;
    /// <summary>Range of the uniform initialisation (char-rnn: 0.08), or the standard deviation of the Gaussian one (min-char-rnn: 0.01).</summary>
    public float InitScale { get; set; } = 0.08f;
    /// <summary>Sum the loss over the chunk's characters instead of averaging it (min-char-rnn sums; char-rnn and PyTorch average).</summary>
    public bool SumLoss { get; set; }
    /// <summary>Send a progress report every this many iterations (evaluations always report).</summary>
    public int ReportEvery { get; set; } = 10;
    /// <summary>Characters of text to sample (temperature 0.8) at each evaluation and put in the progress report (0 = none).</summary>
    public int SampleLength { get; set; }
    /// <summary>
    /// Checkpoint file written (atomically) at every evaluation; when it exists at the start of training and
    /// belongs to the same text and options, training resumes from it. Null = no checkpoints.
    /// </summary>
    public string? CheckpointPath { get; set; }
    /// <summary>Keep the parameters with the best validation loss seen (rather than the last ones) in the returned model.</summary>
    public bool KeepBest { get; set; } = true;

    /// <summary>
    /// The configuration of Karpathy's min-char-rnn: vanilla RNN, one layer of 100, seq 25, batch 1,
    /// Adagrad 0.1, clip ±5, N(0, 0.01²) weights with zero biases, loss summed over the chunk, no validation.
    /// </summary>
    public static CharLanguageModelOptions MinCharRnn() => new()
    {
        Cell = RecurrentCell.Rnn,
        HiddenSize = 100,
        Layers = 1,
        BatchSize = 1,
        SequenceLength = 25,
        Optimizer = OptimizerKind.Adagrad,
        LearningRate = 0.1f,
        GradientClip = 5f,
        Initialization = WeightInitialization.Gaussian,
        InitScale = 0.01f,
        SumLoss = true,
        ValidationFraction = 0f,
    };

    /// <summary>Throws an exception naming the first option that is out of range.</summary>
    internal void Validate()
    {
        static void Require(bool ok, string name, object? value, string rule)
        {
            if (!ok) throw new ArgumentOutOfRangeException(name, value, $"{name} {rule}.");
        }
        Require(Enum.IsDefined(Cell), nameof(Cell), Cell, "is not a known cell");
        Require(HiddenSize is >= 1 and <= Models.NetworkShape.MaxWidth, nameof(HiddenSize), HiddenSize, $"must be in [1, {Models.NetworkShape.MaxWidth}]");
        Require(Layers is >= 1 and <= Models.NetworkShape.MaxLayers, nameof(Layers), Layers, $"must be in [1, {Models.NetworkShape.MaxLayers}]");
        Require(Dropout is >= 0f and < 1f, nameof(Dropout), Dropout, "must be in [0, 1)");
        Require(BatchSize is >= 1 and <= 1 << 16, nameof(BatchSize), BatchSize, "must be in [1, 65536]");
        Require(SequenceLength is >= 1 and <= 1 << 16, nameof(SequenceLength), SequenceLength, "must be in [1, 65536]");
        Require((long)BatchSize * SequenceLength * Math.Max(HiddenSize, 1) * 4 <= int.MaxValue, nameof(BatchSize), BatchSize, "× SequenceLength × HiddenSize is too large for one chunk");
        Require(Enum.IsDefined(Optimizer), nameof(Optimizer), Optimizer, "is not a known optimizer");
        Require(float.IsFinite(LearningRate) && LearningRate > 0, nameof(LearningRate), LearningRate, "must be a finite positive number");
        Require(float.IsFinite(LearningRateDecay) && LearningRateDecay is > 0f and <= 1f, nameof(LearningRateDecay), LearningRateDecay, "must be in (0, 1]");
        Require(DecayAfterEpoch >= 1, nameof(DecayAfterEpoch), DecayAfterEpoch, "must be at least 1");
        Require(float.IsFinite(GradientClip) && GradientClip >= 0, nameof(GradientClip), GradientClip, "must be finite and non-negative (0 = off)");
        Require(float.IsFinite(MaxGradientNorm) && MaxGradientNorm >= 0, nameof(MaxGradientNorm), MaxGradientNorm, "must be finite and non-negative (0 = off)");
        Require(MaxIterations is null or >= 1, nameof(MaxIterations), MaxIterations, "must be at least 1");
        Require(MaxEpochs is null || (double.IsFinite(MaxEpochs.Value) && MaxEpochs > 0), nameof(MaxEpochs), MaxEpochs, "must be a finite positive number");
        Require(TimeBudget is null || TimeBudget > TimeSpan.Zero, nameof(TimeBudget), TimeBudget, "must be positive");
        Require(MaxIterations != null || MaxEpochs != null || TimeBudget != null, nameof(MaxIterations), null, "or MaxEpochs or TimeBudget must be set, or training never stops");
        Require(ValidationFraction is >= 0f and < 1f, nameof(ValidationFraction), ValidationFraction, "must be in [0, 1)");
        Require(EvaluateEvery >= 1, nameof(EvaluateEvery), EvaluateEvery, "must be at least 1");
        Require(ReportEvery >= 1, nameof(ReportEvery), ReportEvery, "must be at least 1");
        Require(SampleLength >= 0, nameof(SampleLength), SampleLength, "must not be negative");
        Require(Enum.IsDefined(Initialization), nameof(Initialization), Initialization, "is not a known initialisation");
        Require(float.IsFinite(InitScale) && InitScale > 0, nameof(InitScale), InitScale, "must be a finite positive number");
    }
}
