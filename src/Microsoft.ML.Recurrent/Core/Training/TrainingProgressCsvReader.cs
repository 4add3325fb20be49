using System.Globalization;
using System.Text;

namespace Microsoft.ML.Recurrent;

/// <summary>
/// Reads back a log written by <see cref="TrainingProgressCsvWriter"/>: one <see cref="TrainingProgress"/> per row, in the
/// file's order, with what the log keeps (not <see cref="TrainingProgress.Sample"/> nor
/// <see cref="TrainingProgress.ResumedAtIteration"/>). A run resumed from its checkpoint appends to its log, so the log of
/// a run that was killed and resumed holds the iterations between the checkpoint and the kill twice: plots want
/// <see cref="LatestRun"/>.
/// </summary>
public static class TrainingProgressCsvReader
{
    /// <summary>Reads the log at <paramref name="path"/>, which its writer may still have open.</summary>
    /// <exception cref="ArgumentException">The path is empty.</exception>
    /// <exception cref="InvalidDataException">The file is not such a log, or a row is malformed (the message names its line).</exception>
    public static IReadOnlyList<TrainingProgress> Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        // Shared for writing: the log may be read while its writer still has it open (training runs, or has just ended).
        using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
        return Read(reader, path);
    }

    /// <summary>Reads a log from <paramref name="reader"/>.</summary>
    /// <exception cref="InvalidDataException">The text is not such a log, or a row is malformed.</exception>
    public static IReadOnlyList<TrainingProgress> Read(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return Read(reader, "the text");
    }

    /// <summary>
    /// The reports that the latest training session stands on: where the iteration goes back (a run resumed from a
    /// checkpoint older than where the previous session got to), the earlier reports from that iteration on are dropped,
    /// so the iterations rise throughout and each appears once (the trainers send at most one report an iteration).
    /// </summary>
    public static IReadOnlyList<TrainingProgress> LatestRun(IEnumerable<TrainingProgress> reports)
    {
        ArgumentNullException.ThrowIfNull(reports);
        var kept = new List<TrainingProgress>();
        foreach (var report in reports)
        {
            ArgumentNullException.ThrowIfNull(report, nameof(reports));
            while (kept.Count > 0 && kept[^1].Iteration >= report.Iteration) kept.RemoveAt(kept.Count - 1);
            kept.Add(report);
        }
        return kept;
    }

    private static IReadOnlyList<TrainingProgress> Read(TextReader reader, string name)
    {
        string? header = reader.ReadLine();
        if (header is null) return [];
        if (header.TrimStart('\uFEFF') != TrainingProgressCsvWriter.Header)
            throw new InvalidDataException($"{name} is not a training progress log: its first line is not the header '{TrainingProgressCsvWriter.Header}'.");
        var reports = new List<TrainingProgress>();
        int lineNumber = 1;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0) continue;
            var f = Fields(line);
            if (f.Count != 10) throw new InvalidDataException($"{name}, line {lineNumber}: {f.Count} fields, not 10.");
            try
            {
                reports.Add(new TrainingProgress
                {
                    Iteration = int.Parse(f[0], NumberStyles.Integer, CultureInfo.InvariantCulture),
                    Epoch = Number(f[1]) ?? 0,
                    Elapsed = TimeSpan.FromSeconds(Number(f[2]) ?? 0),
                    TrainLoss = Number(f[3]) ?? double.NaN, // the writer leaves a NaN loss empty
                    ValidationLoss = Number(f[4]),
                    ValidationAccuracy = Number(f[5]),
                    ValidationMetricName = f[6].Length == 0 ? null : f[6],
                    ValidationMetric = Number(f[7]),
                    CharsPerSecond = Number(f[8]) ?? 0,
                    Remaining = Number(f[9]) is { } s ? TimeSpan.FromSeconds(s) : null,
                });
            }
            catch (Exception e) when (e is FormatException or OverflowException)
            {
                throw new InvalidDataException($"{name}, line {lineNumber}: {e.Message}", e);
            }
        }
        return reports;
    }

    private static double? Number(string field) => field.Length == 0 ? null : double.Parse(field, NumberStyles.Float, CultureInfo.InvariantCulture);

    // RFC 4180 as the writer writes it: quoted fields (the metric's name) with doubled quotes; rows are one line each.
    private static List<string> Fields(string line)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c != '"') field.Append(c);
                else if (i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else quoted = false;
            }
            else if (c == '"') quoted = true;
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else field.Append(c);
        }
        fields.Add(field.ToString());
        return fields;
    }
}
