namespace Microsoft.ML.Recurrent.Plotting;

/// <summary>
/// Keeps every <see cref="TrainingProgress"/> report it is given, in order, for <see cref="TrainingCurves"/> once training
/// ends (or at any time while it runs), and passes each on to the sink it was given, if any: a trainer's one
/// <see cref="RecurrentTrainerOptions.Progress"/> can then feed both the console and the plot.
/// </summary>
/// <remarks>
/// Unlike <see cref="Progress{T}"/>, which posts each report to the thread pool (so that they can arrive out of order), it
/// keeps a report on the thread that sends it; <see cref="Reports"/> may be read from another thread meanwhile.
/// </remarks>
/// <param name="next">Receives every report after it is kept (a <see cref="ConsoleTrainingProgress"/>, say); null = none.</param>
public sealed class TrainingProgressRecorder(IProgress<TrainingProgress>? next = null) : IProgress<TrainingProgress>
{
    private readonly List<TrainingProgress> _reports = [];
    private readonly Lock _lock = new();

    /// <summary>Keeps <paramref name="value"/>, then passes it on.</summary>
    public void Report(TrainingProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        lock (_lock) _reports.Add(value);
        next?.Report(value);
    }

    /// <summary>How many reports are kept.</summary>
    public int Count
    {
        get
        {
            lock (_lock) return _reports.Count;
        }
    }

    /// <summary>A copy of the reports kept so far, in the order they came.</summary>
    public IReadOnlyList<TrainingProgress> Reports
    {
        get
        {
            lock (_lock) return [.. _reports];
        }
    }

    /// <summary>Forgets the reports kept so far.</summary>
    public void Clear()
    {
        lock (_lock) _reports.Clear();
    }
}
