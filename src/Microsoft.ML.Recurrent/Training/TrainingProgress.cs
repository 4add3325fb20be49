namespace Microsoft.ML.Recurrent;

/// <summary>A progress report from training, sent through <see cref="IProgress{T}"/>.</summary>
public sealed record TrainingProgress
{
    /// <summary>Iterations (minibatch updates) done.</summary>
    public int Iteration { get; init; }
    /// <summary>Epochs done (fractional).</summary>
    public double Epoch { get; init; }
    /// <summary>Training loss (nats per character), exponentially smoothed.</summary>
    public double TrainLoss { get; init; }
    /// <summary>Validation loss (nats per character) when this report follows an evaluation, else null.</summary>
    public double? ValidationLoss { get; init; }
    /// <summary>Validation loss in bits per character, when known.</summary>
    public double? ValidationBitsPerChar => ValidationLoss / Math.Log(2);
    /// <summary>Training throughput (characters per second of training time).</summary>
    public double CharsPerSecond { get; init; }
    /// <summary>Training time so far.</summary>
    public TimeSpan Elapsed { get; init; }
    /// <summary>Estimated time left under the active stopping rule, when it can be estimated.</summary>
    public TimeSpan? Remaining { get; init; }
    /// <summary>A short text sampled from the model at this evaluation, when <see cref="CharLanguageModelOptions.SampleLength"/> asks for one.</summary>
    public string? Sample { get; init; }
}
