namespace Microsoft.ML.Recurrent.Benchmarks;

/// <summary>Peak resident memory of this process (VmHWM), as the reference reads ru_maxrss.</summary>
internal static class PeakRss
{
    public static double Megabytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return double.Parse(line[6..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) / 1024.0;
        return double.NaN;
    }
}

/// <summary>Floating-point work of training (forward + backward GEMMs: 3 × 2·m·n·k), per character.</summary>
internal static class Flops
{
    public static double TrainingPerChar(CharLanguageModelOptions o, int vocabulary)
    {
        double gates = o.Cell switch { RecurrentCell.Rnn => 1, RecurrentCell.Lstm => 4, _ => 3 };
        double h = o.HiddenSize, g = gates * h;
        double forward = o.Layers * 2 * h * g + (o.Layers - 1) * 2 * h * g + 2 * h * vocabulary;
        return 3 * forward;
    }
}

/// <summary>An IProgress that reports on the caller's thread (Progress&lt;T&gt; posts to the thread pool).</summary>
internal sealed class SynchronousProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
{
    public void Report(TrainingProgress value) => report(value);
}

internal static class FoldStatistics
{
    /// <summary>Mean and sample standard deviation (n − 1) of per-fold figures.</summary>
    public static (double Mean, double Std) MeanStd(IReadOnlyCollection<double> values)
    {
        double mean = values.Average();
        return (mean, Math.Sqrt(values.Sum(x => (x - mean) * (x - mean)) / Math.Max(1, values.Count - 1)));
    }
}
