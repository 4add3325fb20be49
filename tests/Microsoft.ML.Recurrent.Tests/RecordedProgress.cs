namespace Microsoft.ML.Recurrent.Tests;

/// <summary>Keeps every progress report as it is sent (Progress&lt;T&gt; would post them to the thread pool, out of order).</summary>
internal sealed class RecordedProgress(List<TrainingProgress>? into = null) : IProgress<TrainingProgress>
{
    public List<TrainingProgress> Reports { get; } = into ?? [];

    public void Report(TrainingProgress value) => Reports.Add(value);
}
