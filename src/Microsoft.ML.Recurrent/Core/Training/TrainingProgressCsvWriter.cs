using System.Globalization;

namespace Microsoft.ML.Recurrent;

/// <summary>
/// Logs every <see cref="TrainingProgress"/> report as one CSV row (a header line first; invariant culture; an empty
/// field where the report has no value), flushed at once so the file can be watched or plotted while training runs.
/// Give it to any trainer as its progress sink (<see cref="RecurrentTrainerOptions.Progress"/> or the
/// <c>progress</c> argument). A file that already holds such a log is appended to, so a run resumed from its
/// checkpoint continues the log of the run it resumes.
/// </summary>
public sealed class TrainingProgressCsvWriter : IProgress<TrainingProgress>, IDisposable
{
    /// <summary>The header line: the columns, in order.</summary>
    public const string Header =
        "iteration,epoch,elapsed_s,train_loss,validation_loss,validation_accuracy,validation_metric_name,validation_metric,units_per_s,remaining_s";

    private readonly TextWriter _writer;
    private readonly bool _ownsWriter;
    private readonly Lock _lock = new();

    /// <summary>Logs to <paramref name="path"/>: a new file, or one that already starts with <see cref="Header"/> (appended to).</summary>
    /// <exception cref="ArgumentException">The path is empty.</exception>
    /// <exception cref="InvalidDataException">The file exists and is not such a log (it is left as it is).</exception>
    public TrainingProgressCsvWriter(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        bool append = File.Exists(path) && new FileInfo(path).Length > 0;
        if (append && File.ReadLines(path).FirstOrDefault() != Header)
            throw new InvalidDataException($"'{path}' exists and is not a training progress log (its first line is not the header '{Header}'); choose another path or delete it.");
        _writer = new StreamWriter(path, append);
        _ownsWriter = true;
        if (!append) WriteLine(Header);
    }

    /// <summary>Logs to <paramref name="writer"/>, the header first; the writer stays open when this is disposed.</summary>
    public TrainingProgressCsvWriter(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        _writer = writer;
        WriteLine(Header);
    }

    /// <summary>Writes <paramref name="value"/> as one row.</summary>
    public void Report(TrainingProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        string[] fields =
        [
            value.Iteration.ToString(CultureInfo.InvariantCulture),
            Number(value.Epoch),
            Number(value.Elapsed.TotalSeconds),
            Number(value.TrainLoss),
            Number(value.ValidationLoss),
            Number(value.ValidationAccuracy),
            Text(value.ValidationMetricName),
            Number(value.ValidationMetric),
            Number(value.CharsPerSecond),
            Number(value.Remaining?.TotalSeconds),
        ];
        WriteLine(string.Join(',', fields));
    }

    /// <summary>Flushes and, when this writer opened the file, closes it.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _writer.Flush();
            if (_ownsWriter) _writer.Dispose();
        }
    }

    private void WriteLine(string line)
    {
        lock (_lock)
        {
            _writer.WriteLine(line);
            _writer.Flush();
        }
    }

    // NaN (a smoothed loss before the first batch) is written as empty, like a missing value.
    private static string Number(double? value) => value is double v && double.IsFinite(v) ? v.ToString("R", CultureInfo.InvariantCulture) : "";

    // RFC 4180: a field holding a comma, a quote or a line break is quoted, its quotes doubled.
    private static string Text(string? value) => value is null ? "" : value.IndexOfAny([',', '"', '\n', '\r']) < 0 ? value : $"\"{value.Replace("\"", "\"\"")}\"";
}
