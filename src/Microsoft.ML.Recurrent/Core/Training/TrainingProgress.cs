namespace Microsoft.ML.Recurrent;

/// <summary>
/// A progress report from training, sent through <see cref="IProgress{T}"/> at every evaluation (see
/// <see cref="RecurrentTrainerOptions.EvaluateEvery"/>) and, for the language model, every
/// <c>ReportEvery</c> iterations. Losses are per the task's unit: per character for the
/// language model, per word for the captioner, per sequence for the classifier.
/// </summary>
public sealed record TrainingProgress
{
    /// <summary>Iterations (minibatch updates) done.</summary>
    public int Iteration { get; init; }
    /// <summary>Epochs done (fractional).</summary>
    public double Epoch { get; init; }
    /// <summary>Training loss (nats per unit), exponentially smoothed over the iterations (weight 0.02 for the newest).</summary>
    public double TrainLoss { get; init; }
    /// <summary>Validation loss (nats per unit) when this report follows an evaluation with validation data, else null.</summary>
    public double? ValidationLoss { get; init; }
    /// <summary>Validation loss in bits per unit (bits per character for the language model), when known.</summary>
    public double? ValidationBitsPerChar => ValidationLoss / Math.Log(2);
    /// <summary>Validation accuracy, for a classifier's evaluation with validation data, else null.</summary>
    public double? ValidationAccuracy { get; init; }
    /// <summary>
    /// The validation metric the run keeps its best weights by, when the task selects on one rather than the loss (a
    /// translator's BLEU or error rate: <see cref="SequenceTranslatorOptions.ValidationMetric"/>), else null.
    /// </summary>
    public double? ValidationMetric { get; init; }
    /// <summary>The name of <see cref="ValidationMetric"/> ("BLEU", "SequenceErrorRate", "TokenErrorRate"), else null.</summary>
    public string? ValidationMetricName { get; init; }
    /// <summary>Training throughput in units (characters, words, sequences) per second of training time.</summary>
    public double CharsPerSecond { get; init; }
    /// <summary>Training time so far.</summary>
    public TimeSpan Elapsed { get; init; }
    /// <summary>Estimated time left under the active stopping rule, when it can be estimated.</summary>
    public TimeSpan? Remaining { get; init; }
    /// <summary>A short text sampled from the model at this evaluation, when the task's options ask for one (the language model's <c>SampleLength</c>).</summary>
    public string? Sample { get; init; }
    /// <summary>The iteration this training session resumed at from its checkpoint, or null when it started afresh.</summary>
    public int? ResumedAtIteration { get; init; }
}
