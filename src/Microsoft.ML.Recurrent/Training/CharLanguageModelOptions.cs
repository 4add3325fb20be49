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
    /// <summary>Range of the uniform initialisation of all weights (char-rnn: 0.08).</summary>
    public float InitScale { get; set; } = 0.08f;
    /// <summary>
    /// Checkpoint file written (atomically) at every evaluation; when it exists at the start of training and
    /// belongs to the same text and options, training resumes from it. Null = no checkpoints.
    /// </summary>
    public string? CheckpointPath { get; set; }
    /// <summary>Keep the parameters with the best validation loss seen (rather than the last ones) in the returned model.</summary>
    public bool KeepBest { get; set; } = true;
}
