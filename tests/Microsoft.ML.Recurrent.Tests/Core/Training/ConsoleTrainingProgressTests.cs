using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Training;

public class ConsoleTrainingProgressTests
{
    private static TrainingProgress Step(int iteration) => new()
    {
        Iteration = iteration,
        Epoch = iteration / 100.0,
        TrainLoss = 2.5 - iteration / 1000.0,
        CharsPerSecond = 12_345,
        Elapsed = TimeSpan.FromSeconds(iteration),
        Remaining = TimeSpan.FromSeconds(3725),
    };

    private static TrainingProgress Validated(int iteration, string? sample = null) => Step(iteration) with { ValidationLoss = 1.5, Sample = sample };

    /// <summary>A console whose clock the test moves.</summary>
    private sealed class Fixture
    {
        public StringWriter Text { get; } = new();
        public TimeSpan Now { get; set; }
        public ConsoleTrainingProgress Progress { get; }

        public Fixture(bool interactive, string unit = "chars/s", int? width = null, string? checkpoint = null)
            => Progress = new ConsoleTrainingProgress(Text, interactive, unit) { Clock = () => Now, LineWidth = width, CheckpointPath = checkpoint };

        public string Output => Text.ToString();
    }

    [Fact]
    public void On_a_terminal_a_report_without_validation_rewrites_one_line_with_a_carriage_return_and_no_line_break()
    {
        var f = new Fixture(interactive: true);
        f.Progress.Report(Step(10));
        f.Now = TimeSpan.FromSeconds(1);
        f.Progress.Report(Step(20));
        string text = f.Output;
        Assert.DoesNotContain('\n', text);
        Assert.Equal(2, text.Count(c => c == '\r'));
        Assert.StartsWith("\riter     10  epoch   0.10  train 2.4900  val -", text);
        Assert.Contains("\riter     20  epoch   0.20  train 2.4800", text);
        Assert.Contains("12,345 chars/s", text);
        Assert.Contains("1:02:05 left", text); // h:mm:ss from an hour on
        Assert.Equal(20, f.Progress.LastIteration);
    }

    [Fact]
    public void On_a_terminal_a_validation_report_becomes_a_permanent_line_over_the_status_line_with_its_sample_below()
    {
        var f = new Fixture(interactive: true);
        f.Progress.Report(Step(10));
        int live = f.Output.Length - 1;
        f.Progress.Report(Validated(20, "to be\nor not"));
        f.Now = TimeSpan.FromSeconds(1);
        f.Progress.Report(Step(30));
        string[] lines = f.Output.Split('\n');
        Assert.Equal(6, lines.Length); // the validation line, four of the sample, and the live line after them
        string[] first = lines[0].Split('\r', StringSplitOptions.RemoveEmptyEntries); // the status line, then the line over it
        Assert.Equal(2, first.Length);
        Assert.StartsWith("iter     10", first[0]);
        Assert.StartsWith("iter     20", first[1]);
        Assert.Contains("val 1.5000 (2.16 bits)", first[1]);
        Assert.True(first[1].Length >= live, "The permanent line did not blank the rest of the status line it replaced.");
        Assert.Equal(["  ---- sample ----", "  to be", "  or not", "  ----------------"], lines[1..5]);
        Assert.StartsWith("\riter     30", lines[5]);
        Assert.Contains("val 1.5000 (2.16 bits)", lines[5]); // the status line keeps the last validation
        f.Progress.Complete();
        Assert.EndsWith("\n", f.Output);
        f.Progress.Complete(); // once only
        Assert.False(f.Output.EndsWith("\n\n", StringComparison.Ordinal));
    }

    [Fact]
    public void On_a_terminal_the_line_is_rewritten_at_most_once_per_interval()
    {
        var f = new Fixture(interactive: true);
        f.Progress.Report(Step(10));
        f.Now = TimeSpan.FromMilliseconds(100);
        f.Progress.Report(Step(20));
        f.Now = TimeSpan.FromMilliseconds(249);
        f.Progress.Report(Step(30));
        Assert.DoesNotContain("iter     20", f.Output);
        Assert.DoesNotContain("iter     30", f.Output);
        f.Now = TimeSpan.FromMilliseconds(250);
        f.Progress.Report(Step(40));
        Assert.Contains("iter     40", f.Output);
        f.Now = TimeSpan.FromMilliseconds(260);
        f.Progress.Report(Validated(50)); // never throttled
        Assert.Contains("iter     50", f.Output);
        Assert.Equal(50, f.Progress.LastIteration);
    }

    [Fact]
    public void On_a_terminal_a_shorter_line_blanks_the_rest_of_the_longer_one_and_lines_are_cut_to_the_width()
    {
        var f = new Fixture(interactive: true, unit: "sequences/s", width: 40);
        f.Progress.Report(Step(10));
        string first = f.Output;
        Assert.Equal(1 + 39, first.Length); // '\r' and one column short of the width
        var narrow = new Fixture(interactive: true);
        narrow.Progress.Report(Step(10) with { Remaining = null, CharsPerSecond = 1e9 });
        narrow.Now = TimeSpan.FromSeconds(1);
        narrow.Progress.Report(Step(20) with { Remaining = null });
        string[] rewrites = narrow.Output.Split('\r', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, rewrites.Length);
        Assert.Equal(rewrites[0].Length, rewrites[1].Length);
        Assert.EndsWith("left    ", rewrites[1]);
    }

    [Fact]
    public void Redirected_it_writes_whole_lines_at_most_one_per_interval_besides_every_validation()
    {
        var f = new Fixture(interactive: false, unit: "tokens/s");
        f.Progress.Report(Step(10));
        f.Now = TimeSpan.FromMilliseconds(500);
        f.Progress.Report(Step(20)); // throttled
        f.Progress.Report(Validated(30));
        f.Now = TimeSpan.FromMilliseconds(1200);
        f.Progress.Report(Step(40)); // throttled: within a second of the validation line
        f.Now = TimeSpan.FromMilliseconds(2500);
        f.Progress.Report(Step(50));
        f.Progress.Complete();
        string text = f.Output;
        Assert.DoesNotContain('\r', text);
        string[] lines = text.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("iter     10", lines[0]);
        Assert.StartsWith("iter     30", lines[1]);
        Assert.StartsWith("iter     50", lines[2]);
        Assert.All(lines, l => Assert.Contains("12,345 tokens/s", l));
        Assert.Contains("val 1.5000", lines[2]);
    }

    [Fact]
    public void The_first_report_of_a_resumed_run_says_where_it_resumed_and_metrics_are_shown_by_name()
    {
        var f = new Fixture(interactive: false, checkpoint: "run.ckpt");
        f.Progress.Report(Step(110) with { ResumedAtIteration = 100 });
        f.Progress.Report(Validated(120) with { ResumedAtIteration = 100, ValidationMetricName = "BLEU", ValidationMetric = 0.0337 });
        f.Progress.Report(Validated(130) with { ValidationAccuracy = 0.875 });
        string[] lines = f.Output.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        Assert.Equal("Resumed from the checkpoint run.ckpt at iteration 100.", lines[0]);
        Assert.Single(lines, l => l.StartsWith("Resumed", StringComparison.Ordinal));
        Assert.Contains("BLEU 3.37", lines[2]);
        Assert.Contains("accuracy 87.50%", lines[3]);
        var unnamed = new Fixture(interactive: true);
        unnamed.Progress.Report(Step(110) with { ResumedAtIteration = 100 });
        Assert.StartsWith("Resumed from the checkpoint at iteration 100.\n", unnamed.Output.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Bad_arguments_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new ConsoleTrainingProgress(new StringWriter(), unit: " "));
        Assert.Throws<ArgumentException>(() => new ConsoleTrainingProgress(new StringWriter(), interval: TimeSpan.FromSeconds(-1)));
        Assert.Throws<ArgumentNullException>(() => new ConsoleTrainingProgress(new StringWriter()).Report(null!));
        Assert.False(new ConsoleTrainingProgress(new StringWriter()).IsInteractive); // another writer than the console's: lines
    }
}
