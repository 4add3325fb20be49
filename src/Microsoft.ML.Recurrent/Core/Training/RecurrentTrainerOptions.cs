using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Training;
namespace Microsoft.ML.Recurrent;

/// <summary>
/// The settings every recurrent task trains with, with the same names, types and meaning in each: the network's
/// size, the optimizer, clipping, the stopping rules, validation, checkpoints, the seed and the thread count.
/// Each task's options derive from it, add their own fields and set their own defaults (documented there).
/// </summary>
public abstract class RecurrentTrainerOptions
{
    /// <summary>Only the project's tasks derive options from this class.</summary>
    private protected RecurrentTrainerOptions()
    {
    }

    /// <summary>Recurrent cell of every layer.</summary>
    public RecurrentCell Cell { get; set; } = RecurrentCell.Lstm;
    /// <summary>Hidden units per layer (and direction).</summary>
    public int HiddenSize { get; set; } = 128;
    /// <summary>Number of stacked recurrent layers.</summary>
    public int Layers { get; set; } = 1;
    /// <summary>Dropout probability, in [0, 1) (0 = none); where it applies is the task's.</summary>
    public float Dropout { get; set; }
    /// <summary>Sequences (or streams) per minibatch update.</summary>
    public int BatchSize { get; set; } = 32;
    /// <summary>The gradient-descent rule.</summary>
    public OptimizerKind Optimizer { get; set; } = OptimizerKind.Adam;
    /// <summary>Learning rate (step size).</summary>
    public float LearningRate { get; set; } = 2e-3f;
    /// <summary>Element-wise gradient clipping to [−c, c] (0 = off); applied before <see cref="MaxGradientNorm"/>.</summary>
    public float GradientClip { get; set; }
    /// <summary>Global L2-norm gradient clipping: larger gradients are scaled down to this norm (0 = off).</summary>
    public float MaxGradientNorm { get; set; }
    /// <summary>Stop after this many passes over the training data, fractions allowed (null = no limit).</summary>
    public double? MaxEpochs { get; set; }
    /// <summary>Stop after this many minibatch updates (null = no limit).</summary>
    public int? MaxIterations { get; set; }
    /// <summary>Stop after this much training time (null = no limit). At least one stopping rule must be set.</summary>
    public TimeSpan? TimeBudget { get; set; }
    /// <summary>Fraction of the training data held out for validation, in [0, 1) (0 = none).</summary>
    public double ValidationFraction { get; set; }
    /// <summary>
    /// Evaluate (validate, keep the best, write the checkpoint, report) every this many iterations and at the end;
    /// null = at the end of every epoch.
    /// </summary>
    public int? EvaluateEvery { get; set; }
    /// <summary>
    /// Evaluations without a better validation loss before training stops early (null = never stop early). "Better"
    /// here and in <see cref="KeepBest"/> and <see cref="LearningRateDecayOnPlateau"/> means a lower loss, or, where the
    /// task selects on a metric of its own (<see cref="SequenceTranslatorOptions.ValidationMetric"/>), a better metric,
    /// ties going to the lower loss.
    /// </summary>
    public int? Patience { get; set; }
    /// <summary>Return the parameters with the best validation loss seen rather than the last ones (needs validation data).</summary>
    public bool KeepBest { get; set; } = true;
    /// <summary>
    /// Multiplies the learning rate after every evaluation whose validation loss is no better than the best so far, in
    /// (0, 1] (1 = never; needs validation data): big steps while the model improves, smaller ones once it stalls.
    /// </summary>
    public float LearningRateDecayOnPlateau { get; set; } = 1f;
    /// <summary>
    /// Checkpoint file written (atomically) at every evaluation; when it exists at the start of training and
    /// belongs to the same data and options, training resumes from it exactly where it stopped. Null = no checkpoints.
    /// </summary>
    public string? CheckpointPath { get; set; }
    /// <summary>
    /// Seed of initialisation, shuffling, the validation split and dropout: the same seed (and
    /// <see cref="NumberOfThreads"/>) gives the same model. Null = the MLContext's seed in ML.NET estimators, 1 elsewhere.
    /// </summary>
    public int? Seed { get; set; }
    /// <summary>
    /// Threads training may use (null = all cores). Results depend on the seed and, where the task splits a batch
    /// over threads, on this number: set both to make training reproducible on any machine.
    /// </summary>
    public int? NumberOfThreads { get; set; }
    /// <summary>Receives progress reports, synchronously on the training thread.</summary>
    public IProgress<TrainingProgress>? Progress { get; set; }
    /// <summary>Send a progress report every this many iterations; evaluations always report (what a live line and a loss curve draw from).</summary>
    public int ReportEvery { get; set; } = 10;
    /// <summary>
    /// Stops training at the next iteration boundary as if a stopping rule held, for a Ctrl+C that keeps the work:
    /// unlike the cancellation token (which throws and returns nothing), training evaluates once more (validation,
    /// keep-best, the checkpoint, the report) and returns the model trained so far, the best parameters under
    /// <see cref="KeepBest"/>. That extra evaluation counts towards <see cref="Patience"/> like any other, and a run
    /// resumed from its checkpoint continues from where it stopped. Whether it stopped training is the token's own
    /// <see cref="CancellationToken.IsCancellationRequested"/>.
    /// </summary>
    public CancellationToken StopToken { get; set; }

    /// <summary>The seed in effect: <see cref="Seed"/>, or 1 when none is given.</summary>
    internal int EffectiveSeed => Seed ?? 1;

    /// <summary>
    /// <paramref name="options"/> itself when it has a seed, else a shallow copy with the seed <paramref name="seed"/>
    /// gives (the caller's options stay untouched).
    /// </summary>
    internal static T WithDefaultSeed<T>(T options, Func<int> seed) where T : RecurrentTrainerOptions
    {
        if (options.Seed != null) return options;
        var copy = (T)options.MemberwiseClone();
        copy.Seed = seed();
        return copy;
    }

    /// <summary>
    /// The shared settings that shape the training trajectory (not the stopping rules) as name=value pairs joined
    /// by '|', in the invariant culture: a checkpoint stores them and names the ones another run changed.
    /// </summary>
    internal string TrajectorySettings() => string.Join('|', new (string Name, object Value)[]
    {
        (nameof(Cell), Cell), (nameof(HiddenSize), HiddenSize), (nameof(Layers), Layers), (nameof(Dropout), Dropout),
        (nameof(BatchSize), BatchSize), (nameof(Optimizer), Optimizer), (nameof(LearningRate), LearningRate),
        (nameof(GradientClip), GradientClip), (nameof(MaxGradientNorm), MaxGradientNorm),
        (nameof(ValidationFraction), ValidationFraction), (nameof(LearningRateDecayOnPlateau), LearningRateDecayOnPlateau), (nameof(Seed), EffectiveSeed),
    }.Select(p => FormattableString.Invariant($"{p.Name}={p.Value}")));

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> naming the first shared option that is out of range.</summary>
    internal virtual void Validate()
    {
        Require(Enum.IsDefined(Cell), nameof(Cell), Cell, "is not a known cell");
        Require(HiddenSize >= 1, nameof(HiddenSize), HiddenSize, "must be at least 1");
        Require(Layers >= 1, nameof(Layers), Layers, "must be at least 1");
        Require(Dropout is >= 0f and < 1f, nameof(Dropout), Dropout, "must be in [0, 1)");
        Require(BatchSize is >= 1 and <= 1 << 16, nameof(BatchSize), BatchSize, "must be in [1, 65536]");
        Require(Enum.IsDefined(Optimizer), nameof(Optimizer), Optimizer, "is not a known optimizer");
        Require(float.IsFinite(LearningRate) && LearningRate > 0, nameof(LearningRate), LearningRate, "must be a finite positive number");
        Require(float.IsFinite(GradientClip) && GradientClip >= 0, nameof(GradientClip), GradientClip, "must be finite and non-negative (0 = off)");
        Require(float.IsFinite(MaxGradientNorm) && MaxGradientNorm >= 0, nameof(MaxGradientNorm), MaxGradientNorm, "must be finite and non-negative (0 = off)");
        Require(MaxIterations is null or >= 1, nameof(MaxIterations), MaxIterations, "must be at least 1");
        Require(MaxEpochs is null || (double.IsFinite(MaxEpochs.Value) && MaxEpochs > 0), nameof(MaxEpochs), MaxEpochs, "must be a finite positive number");
        Require(TimeBudget is null || TimeBudget > TimeSpan.Zero, nameof(TimeBudget), TimeBudget, "must be positive");
        Require(MaxIterations != null || MaxEpochs != null || TimeBudget != null, nameof(MaxIterations), null, "or MaxEpochs or TimeBudget must be set, or training never stops");
        Require(ValidationFraction is >= 0 and < 1, nameof(ValidationFraction), ValidationFraction, "must be in [0, 1)");
        Require(EvaluateEvery is null or >= 1, nameof(EvaluateEvery), EvaluateEvery, "must be at least 1 (null = every epoch)");
        Require(Patience is null or >= 1, nameof(Patience), Patience, "must be at least 1 (null = no early stopping)");
        Require(LearningRateDecayOnPlateau is > 0f and <= 1f, nameof(LearningRateDecayOnPlateau), LearningRateDecayOnPlateau, "must be in (0, 1] (1 = no decay)");
        Require(CheckpointPath is null || !string.IsNullOrWhiteSpace(CheckpointPath), nameof(CheckpointPath), CheckpointPath, "must be null or a file path");
        Require(ReportEvery >= 1, nameof(ReportEvery), ReportEvery, "must be at least 1");
        Require(NumberOfThreads is null or >= 1, nameof(NumberOfThreads), NumberOfThreads, "must be at least 1 (null = all cores)");
    }

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> for <paramref name="name"/> unless <paramref name="ok"/>.</summary>
    private protected static void Require(bool ok, string name, object? value, string rule)
    {
        if (!ok) throw new ArgumentOutOfRangeException(name, value, $"{name} {rule}.");
    }
}
