using System.Globalization;
using Microsoft.ML.Recurrent.Training;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Training;

public class TrainingProgressCsvWriterTests
{
    private static readonly TrainingProgress Evaluation = new()
    {
        Iteration = 120,
        Epoch = 1.5,
        TrainLoss = 0.25,
        ValidationLoss = 0.5,
        ValidationAccuracy = 0.875,
        ValidationMetric = 0.0337,
        ValidationMetricName = "BLEU",
        CharsPerSecond = 2000,
        Elapsed = TimeSpan.FromSeconds(61.5),
        Remaining = TimeSpan.FromSeconds(30),
    };

    [Fact]
    public void Every_report_is_a_row_under_the_header_in_the_invariant_culture_with_empty_fields_for_what_it_lacks()
    {
        var culture = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = new CultureInfo("de-DE"); // decimal commas would break the columns
        try
        {
            var text = new StringWriter();
            using (var log = new TrainingProgressCsvWriter(text))
            {
                log.Report(Evaluation);
                log.Report(new TrainingProgress { Iteration = 130, Epoch = 1.625, TrainLoss = double.NaN, Elapsed = TimeSpan.FromSeconds(70) });
            }
            Assert.Equal(
            [
                TrainingProgressCsvWriter.Header,
                "120,1.5,61.5,0.25,0.5,0.875,BLEU,0.0337,2000,30",
                "130,1.625,70,,,,,,0,",
            ], text.ToString().ReplaceLineEndings("\n").TrimEnd('\n').Split('\n'));
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }

    [Fact]
    public void A_training_run_logs_each_of_its_reports_and_a_resumed_run_appends_to_the_same_file()
    {
        using var dir = new TestData.TempDirectory();
        string path = dir.File("progress.csv");
        var reports = new RecordedProgress();
        var text = Enumerable.Repeat("the quick brown fox jumps over the lazy dog. ", 40);
        var options = new CharLanguageModelOptions { HiddenSize = 16, Layers = 1, BatchSize = 8, SequenceLength = 16, MaxIterations = 20, EvaluateEvery = 10, Seed = 1 };
        using (var log = new TrainingProgressCsvWriter(path))
        {
            options.Progress = log;
            CharLanguageModel.Train(string.Concat(text), options, reports);
        }
        using (var log = new TrainingProgressCsvWriter(path)) log.Report(Evaluation);
        var lines = File.ReadAllLines(path);
        Assert.Equal(TrainingProgressCsvWriter.Header, lines[0]);
        Assert.Equal(reports.Reports.Count + 2, lines.Length);
        Assert.Equal(reports.Reports.Select(r => r.Iteration.ToString(CultureInfo.InvariantCulture)), lines[1..^1].Select(l => l.Split(',')[0]));
        Assert.All(lines, l => Assert.Equal(10, l.Split(',').Length));
        Assert.StartsWith("120,", lines[^1]);
    }

    [Fact]
    public void A_file_that_is_not_such_a_log_is_refused_and_left_alone()
    {
        using var dir = new TestData.TempDirectory();
        string path = dir.File("notes.csv");
        File.WriteAllText(path, "name,value\na,1\n");
        var e = Assert.Throws<InvalidDataException>(() => new TrainingProgressCsvWriter(path));
        Assert.Contains("not a training progress log", e.Message);
        Assert.Equal("name,value\na,1\n", File.ReadAllText(path));
        Assert.Throws<ArgumentException>(() => new TrainingProgressCsvWriter(" "));
        Assert.Throws<ArgumentNullException>(() => new TrainingProgressCsvWriter((TextWriter)null!));
    }
}
