using System.Globalization;
using System.Text;
using ScottPlot;

namespace Microsoft.ML.Recurrent.Plotting;

/// <summary>
/// Loss curves of a training run: the training loss of every report and the validation loss of the reports that carry
/// one, against the iteration, as a PNG or SVG image. Give it what a <see cref="TrainingProgressRecorder"/> kept, or the
/// log of a <see cref="TrainingProgressCsvWriter"/> read back with <see cref="TrainingProgressCsvReader"/> (which holds
/// the earlier sessions of a resumed run too).
/// </summary>
public static class TrainingCurves
{
    /// <summary>The default width of the image in pixels.</summary>
    public const int DefaultWidth = 900;

    /// <summary>The default height of the image in pixels.</summary>
    public const int DefaultHeight = 500;

    /// <summary>The least width or height accepted: smaller leaves no room for the axes' labels.</summary>
    public const int MinimumSize = 200;

    /// <summary>The greatest width or height accepted.</summary>
    public const int MaximumSize = 10_000;

    // matplotlib's first two colours: blue for training, orange for validation (the tests look for them).
    internal static readonly Color TrainColor = Color.FromHex("#1f77b4");
    internal static readonly Color ValidationColor = Color.FromHex("#ff7f0e");

    /// <summary>
    /// Writes the curves of <paramref name="reports"/> to <paramref name="path"/>: an SVG image when the path ends in
    /// ".svg" (any case), else a PNG image; see <see cref="SavePng"/>.
    /// </summary>
    /// <exception cref="ArgumentException">No report has a finite loss to plot, or the path is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The width or the height is out of range.</exception>
    public static void Save(IEnumerable<TrainingProgress> reports, string path, int width = DefaultWidth, int height = DefaultHeight, string? title = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (Path.GetExtension(path).Equals(".svg", StringComparison.OrdinalIgnoreCase))
        {
            SaveSvg(reports, path, width, height, title);
        }
        else
        {
            SavePng(reports, path, width, height, title);
        }
    }

    /// <summary>Writes the curves of <paramref name="reports"/> to <paramref name="path"/> as a PNG image.</summary>
    /// <param name="reports">
    /// The reports, in the order they came. Where the iteration goes back (a session resumed from a checkpoint older than
    /// where the log's previous session got to), the later reports replace the earlier ones (<see cref="TrainingProgressCsvReader.LatestRun"/>).
    /// </param>
    /// <param name="path">The file to write; written whole or not at all (a temporary file beside it is renamed), its folder created when missing.</param>
    /// <param name="width">Width in pixels, <see cref="MinimumSize"/> to <see cref="MaximumSize"/>.</param>
    /// <param name="height">Height in pixels, <see cref="MinimumSize"/> to <see cref="MaximumSize"/>.</param>
    /// <param name="title">The title; null = "Training and validation loss".</param>
    /// <exception cref="ArgumentException">No report has a finite loss to plot, or the path is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The width or the height is out of range.</exception>
    public static void SavePng(IEnumerable<TrainingProgress> reports, string path, int width = DefaultWidth, int height = DefaultHeight, string? title = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        WriteAtomically(path, RenderPng(reports, width, height, title));
    }

    /// <summary>Writes the curves of <paramref name="reports"/> to <paramref name="path"/> as an SVG image; see <see cref="SavePng"/>.</summary>
    /// <exception cref="ArgumentException">No report has a finite loss to plot, or the path is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The width or the height is out of range.</exception>
    public static void SaveSvg(IEnumerable<TrainingProgress> reports, string path, int width = DefaultWidth, int height = DefaultHeight, string? title = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var plot = Create(reports, width, height, title);
        WriteAtomically(path, Encoding.UTF8.GetBytes(plot.GetSvgXml(width, height)));
    }

    /// <summary>The curves of <paramref name="reports"/> as the bytes of a PNG image; see <see cref="SavePng"/>.</summary>
    /// <exception cref="ArgumentException">No report has a finite loss to plot.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The width or the height is out of range.</exception>
    public static byte[] RenderPng(IEnumerable<TrainingProgress> reports, int width = DefaultWidth, int height = DefaultHeight, string? title = null)
        => Create(reports, width, height, title).GetImageBytes(width, height, ImageFormat.Png);

    private static Plot Create(IEnumerable<TrainingProgress> reports, int width, int height, string? title)
    {
        ArgumentNullException.ThrowIfNull(reports);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, MinimumSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(width, MaximumSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, MinimumSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(height, MaximumSize);
        var run = TrainingProgressCsvReader.LatestRun(reports);
        // A smoothed loss is NaN before the first batch, and a CSV log leaves it empty: such points are left out.
        var train = run.Where(r => double.IsFinite(r.TrainLoss)).ToList();
        var validation = run.Where(r => r.ValidationLoss is double v && double.IsFinite(v)).ToList();
        if (train.Count == 0 && validation.Count == 0)
        {
            throw new ArgumentException(run.Count == 0
                ? "There are no progress reports to plot: training sent none (it may have stopped before its first report)."
                : $"None of the {run.Count} progress reports has a finite loss to plot.", nameof(reports));
        }

        var plot = new Plot();
        if (train.Count > 0)
        {
            var line = plot.Add.ScatterLine(train.Select(r => (double)r.Iteration).ToArray(), train.Select(r => r.TrainLoss).ToArray(), TrainColor);
            line.LegendText = "training (smoothed)";
            line.LineWidth = 1.5f;
        }
        if (validation.Count > 0)
        {
            var points = plot.Add.Scatter(validation.Select(r => (double)r.Iteration).ToArray(), validation.Select(r => r.ValidationLoss!.Value).ToArray(), ValidationColor);
            points.LegendText = "validation";
            points.LineWidth = 2;
            points.MarkerSize = 7;
        }
        var last = run[^1];
        // A second line under the title: how long the run trained, without a second scale to read.
        string best = validation.Count > 0 ? FormattableString.Invariant($"; best validation {validation.Min(r => r.ValidationLoss!.Value):F4}") : "";
        plot.Title((title ?? "Training and validation loss") +
                   FormattableString.Invariant($"\n{last.Iteration:N0} iterations, {last.Epoch:0.##} epochs, {Duration(last.Elapsed)} of training{best}"), size: 15);
        plot.XLabel("iteration", size: 14);
        plot.YLabel("loss (nats)", size: 14);
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }

    /// <summary>m:ss, or h:mm:ss from an hour on.</summary>
    private static string Duration(TimeSpan t) => t.TotalHours >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours}:{t.Minutes:00}:{t.Seconds:00}")
        : string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalMinutes}:{t.Seconds:00}");

    /// <summary>
    /// Writes a temporary file in the same folder and renames it over <paramref name="path"/>: a reader (an image viewer
    /// refreshing while training runs) never sees half an image, and a failed write leaves the previous image.
    /// </summary>
    private static void WriteAtomically(string path, byte[] bytes)
    {
        string full = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(folder);
        string temporary = Path.Combine(folder, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllBytes(temporary, bytes);
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }
}
