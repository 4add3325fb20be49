namespace Microsoft.ML.Recurrent.Plotting;

/// <summary>
/// Keeps every <see cref="TrainingProgress"/> report it is given, in order, for <see cref="TrainingCurves"/> once training
/// ends (or at any time while it runs). Give it to a trainer as a progress sink beside others
/// (<see cref="RecurrentTrainerOptions.Progress"/> and the <c>progress</c> argument both receive every report).
/// </summary>
/// <remarks>
/// Unlike <see cref="Progress{T}"/>, which posts each report to the thread pool (so that they can arrive out of order), it
/// keeps a report on the thread that sends it; <see cref="Reports"/> may be read from another thread meanwhile.
/// </remarks>
public sealed class TrainingProgressRecorder : IProgress<TrainingProgress>
{
    private readonly List<TrainingProgress> _reports = [];
    private readonly Lock _lock = new();

    /// <summary>Keeps <paramref name="value"/>.</summary>
    public void Report(TrainingProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        lock (_lock) _reports.Add(value);
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
