using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Microsoft.ML.Recurrent;

/// <summary>
/// Shows <see cref="TrainingProgress"/> reports on a console. On an interactive terminal one status line (iteration,
/// epoch, training loss, the last validation, throughput, time left) is rewritten in place a few times a second, and
/// each report that carries a validation result is printed as a permanent line above it, followed by its
/// <see cref="TrainingProgress.Sample"/> when there is one. When the output is redirected (a log file, a pipe, a test
/// harness) the same lines are written whole instead, at most one per <c>interval</c> besides every validation
/// report, so that the log stays readable: a carriage return would leave every rewrite in the file.
/// </summary>
/// <remarks>
/// Reports may come from any thread (the trainers report on their training thread); they are serialised. Other output
/// written to the same console while the status line is up lands at its end: call <see cref="Complete"/> first (it
/// ends the status line; the next report starts a new one).
/// </remarks>
public sealed class ConsoleTrainingProgress : IProgress<TrainingProgress>, IDisposable
{
    /// <summary>The default interval between rewrites of the status line on a terminal.</summary>
    public static readonly TimeSpan DefaultTerminalInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>The default interval between progress lines when the output is redirected.</summary>
    public static readonly TimeSpan DefaultRedirectedInterval = TimeSpan.FromSeconds(1);

    private readonly TextWriter _writer;
    private readonly bool _usesConsole;
    private readonly TimeSpan _interval;
    private readonly Lock _lock = new();
    private readonly Stopwatch _stopwatch = Stopwatch.StartNew();
    private TimeSpan? _lastPrint;
    private bool _reported;
    private int _liveLength; // characters of the status line now shown; 0 when none is
    private string? _lastValidation;

    /// <summary>Shows progress on <paramref name="writer"/>.</summary>
    /// <param name="writer">Where to write; null = <see cref="Console.Out"/>.</param>
    /// <param name="interactive">
    /// Whether <paramref name="writer"/> is an interactive terminal that honours '\r' (the status line is rewritten in place)
    /// rather than a file or a pipe (whole lines). Null = <c>!<see cref="Console.IsOutputRedirected"/></c> when writing to the
    /// console, false for any other writer.
    /// </param>
    /// <param name="unit">The throughput's label: "chars/s", "tokens/s", "words/s", "sequences/s".</param>
    /// <param name="interval">
    /// The least time between two rewrites of the status line (terminal) or two progress lines (redirected); reports that
    /// carry a validation result are always shown. Null = <see cref="DefaultTerminalInterval"/> or <see cref="DefaultRedirectedInterval"/>.
    /// </param>
    /// <exception cref="ArgumentException"><paramref name="unit"/> is empty, or <paramref name="interval"/> is negative.</exception>
    public ConsoleTrainingProgress(TextWriter? writer = null, bool? interactive = null, string unit = "chars/s", TimeSpan? interval = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(unit);
        if (interval < TimeSpan.Zero) throw new ArgumentException($"The interval must not be negative, not {interval}.", nameof(interval));
        _usesConsole = writer is null || ReferenceEquals(writer, Console.Out);
        _writer = writer ?? Console.Out;
        IsInteractive = interactive ?? (_usesConsole && !Console.IsOutputRedirected);
        Unit = unit;
        _interval = interval ?? (IsInteractive ? DefaultTerminalInterval : DefaultRedirectedInterval);
        Clock = () => _stopwatch.Elapsed;
    }

    /// <summary>Whether the status line is rewritten in place (a terminal) rather than written as whole lines.</summary>
    public bool IsInteractive { get; }

    /// <summary>The throughput's label, such as "chars/s".</summary>
    public string Unit { get; }

    /// <summary>
    /// The checkpoint the run resumes from, named in the line shown when the first report says the run resumed
    /// (<see cref="TrainingProgress.ResumedAtIteration"/>); null = the line names none.
    /// </summary>
    public string? CheckpointPath { get; init; }

    /// <summary>
    /// The terminal's width in characters, which the status line is cut to so that it never wraps (a wrapped line
    /// cannot be rewritten with '\r'); null = <see cref="Console.WindowWidth"/> when writing to the console, else no limit.
    /// </summary>
    public int? LineWidth { get; init; }

    /// <summary>Whether each report's <see cref="TrainingProgress.Sample"/> is printed below its validation line (default true).</summary>
    public bool ShowSamples { get; init; } = true;

    /// <summary>The iteration of the latest report (0 before the first).</summary>
    public int LastIteration { get; private set; }

    /// <summary>The time the throttle measures intervals with: a test's own clock, so that tests need not sleep.</summary>
    internal Func<TimeSpan> Clock { get; init; }

    /// <summary>Shows <paramref name="value"/>: prints it, rewrites the status line with it, or skips it (throttled).</summary>
    public void Report(TrainingProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        lock (_lock)
        {
            LastIteration = value.Iteration;
            bool first = !_reported;
            _reported = true;
            if (first && value.ResumedAtIteration is { } resumed)
            {
                PrintLine(CheckpointPath is null
                    ? $"Resumed from the checkpoint at iteration {resumed}."
                    : $"Resumed from the checkpoint {CheckpointPath} at iteration {resumed}.");
            }
            if (value.ValidationLoss is not null) _lastValidation = Validation(value);
            TimeSpan now = Clock();
            bool due = first || _lastPrint is not { } last || now - last >= _interval;
            if (value.ValidationLoss is null && !due) return;
            _lastPrint = now;
            if (value.ValidationLoss is null && IsInteractive)
            {
                ShowStatus(Line(value));
                return;
            }
            // A validation result (or, redirected, any report due) is kept: a whole line, then the sample under it.
            PrintLine(Line(value));
            if (ShowSamples && value.Sample is { Length: > 0 } sample)
            {
                PrintLine("  ---- sample ----");
                PrintLine("  " + sample.ReplaceLineEndings("\n  "));
                PrintLine("  ----------------");
            }
        }
    }

    /// <summary>Ends the status line, if one is shown, with a line break, so that what is written next starts on a line of its own.</summary>
    public void Complete()
    {
        lock (_lock)
        {
            if (_liveLength > 0)
            {
                _writer.WriteLine();
                _writer.Flush();
                _liveLength = 0;
            }
        }
    }

    /// <summary>The same as <see cref="Complete"/>; the writer stays open.</summary>
    public void Dispose() => Complete();

    /// <summary>One report's line: iteration, epoch, training loss, the last validation, throughput, time left.</summary>
    private string Line(TrainingProgress p)
    {
        string left = p.Remaining is { } r ? Duration(r) : "?";
        return string.Format(CultureInfo.InvariantCulture,
            "iter {0,6}  epoch {1,6:F2}  train {2:F4}  val {3,-16} {4,9:N0} {5}  {6,6} left",
            p.Iteration, p.Epoch, p.TrainLoss, _lastValidation ?? "-", p.CharsPerSecond, Unit, left);
    }

    /// <summary>The validation loss in nats and bits per unit, and the accuracy or the selection metric when the report has one.</summary>
    private static string Validation(TrainingProgress p)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{p.ValidationLoss:F4} ({p.ValidationBitsPerChar:F2} bits)");
        if (p.ValidationMetricName is { } name && p.ValidationMetric is { } metric)
        {
            // BLEU is read as a score out of 100; the error rates as percentages.
            text.Append(' ').Append(name).Append(' ').Append(name.Contains("BLEU", StringComparison.OrdinalIgnoreCase)
                ? (metric * 100).ToString("F2", CultureInfo.InvariantCulture)
                : name.EndsWith("Rate", StringComparison.Ordinal) ? Percent(metric) : metric.ToString("G4", CultureInfo.InvariantCulture));
        }
        else if (p.ValidationAccuracy is { } accuracy)
        {
            text.Append(" accuracy ").Append(Percent(accuracy));
        }
        return text.ToString();
    }

    // "87.50%": the invariant culture's P format would put a space before the sign.
    private static string Percent(double fraction) => (fraction * 100).ToString("F2", CultureInfo.InvariantCulture) + "%";

    /// <summary>m:ss, or h:mm:ss from an hour on.</summary>
    private static string Duration(TimeSpan t) => t.TotalHours >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours}:{t.Minutes:00}:{t.Seconds:00}")
        : string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalMinutes}:{t.Seconds:00}");

    /// <summary>Rewrites the status line: back to its start, the new text, blanks over what is left of the longer old one.</summary>
    private void ShowStatus(string line)
    {
        int width = Width();
        // One column short of the width: a line that fills it wraps the cursor on some terminals.
        if (width > 1 && line.Length >= width) line = line[..(width - 1)];
        _writer.Write('\r');
        _writer.Write(line);
        if (_liveLength > line.Length) _writer.Write(new string(' ', _liveLength - line.Length));
        _writer.Flush();
        _liveLength = Math.Max(line.Length, 1);
    }

    /// <summary>Writes a permanent line, over the status line when one is shown (the next report draws it again below).</summary>
    private void PrintLine(string line)
    {
        if (_liveLength > 0)
        {
            _writer.Write('\r');
            if (line.Length < _liveLength) line = line.PadRight(_liveLength);
            _liveLength = 0;
        }
        _writer.WriteLine(line);
        _writer.Flush();
    }

    private int Width()
    {
        if (LineWidth is { } width) return width;
        if (!_usesConsole) return 0;
        try
        {
            return Console.WindowWidth;
        }
        catch (Exception e) when (e is IOException or PlatformNotSupportedException or InvalidOperationException)
        {
            return 0; // no terminal to ask: no limit
        }
    }
}
