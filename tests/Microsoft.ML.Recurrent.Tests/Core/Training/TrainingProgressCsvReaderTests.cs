using System.Globalization;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Training;

public class TrainingProgressCsvReaderTests
{
    [Fact]
    public void What_the_writer_logs_reads_back_as_the_same_reports_in_any_culture()
    {
        var reports = new[]
        {
            new TrainingProgress
            {
                Iteration = 120, Epoch = 1.5, TrainLoss = 0.25, ValidationLoss = 0.5, ValidationAccuracy = 0.875,
                ValidationMetric = 0.0337, ValidationMetricName = "odd, \"quoted\" name", CharsPerSecond = 2000.5,
                Elapsed = TimeSpan.FromSeconds(61.5), Remaining = TimeSpan.FromSeconds(30),
            },
            new TrainingProgress { Iteration = 130, Epoch = 1.625, TrainLoss = double.NaN, Elapsed = TimeSpan.FromSeconds(70) },
        };
        var text = new StringWriter();
        using (var log = new TrainingProgressCsvWriter(text))
        {
            foreach (var r in reports) log.Report(r);
        }
        var culture = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = new CultureInfo("de-DE");
        try
        {
            var read = TrainingProgressCsvReader.Read(new StringReader(text.ToString()));
            Assert.Equal(reports, read); // records: equal field by field (NaN equals NaN)
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }

    [Fact]
    public void A_file_that_is_not_a_log_or_a_malformed_row_is_refused_with_the_line()
    {
        using var dir = new TestData.TempDirectory();
        string path = dir.File("notes.csv");
        File.WriteAllText(path, "name,value\n");
        Assert.Contains("not a training progress log", Assert.Throws<InvalidDataException>(() => TrainingProgressCsvReader.Read(path)).Message);
        File.WriteAllText(path, TrainingProgressCsvWriter.Header + "\n10,1,2,3,,,,,4,\nx,1,2,3,,,,,4,\n");
        Assert.Contains("line 3", Assert.Throws<InvalidDataException>(() => TrainingProgressCsvReader.Read(path)).Message);
        File.WriteAllText(path, TrainingProgressCsvWriter.Header + "\n10,1,2\n");
        Assert.Contains("line 2: 3 fields", Assert.Throws<InvalidDataException>(() => TrainingProgressCsvReader.Read(path)).Message);
        File.WriteAllText(path, "");
        Assert.Empty(TrainingProgressCsvReader.Read(path));
        Assert.Throws<ArgumentException>(() => TrainingProgressCsvReader.Read(" "));
    }

    [Fact]
    public void The_latest_run_of_a_killed_and_resumed_log_drops_the_iterations_the_resumed_session_did_again()
    {
        static TrainingProgress At(int i, double loss) => new() { Iteration = i, TrainLoss = loss };
        // Checkpoint at 20, killed at 35, resumed from 20.
        var log = new[] { At(10, 3), At(20, 2.5), At(30, 2.2), At(35, 2.1), At(30, 2.0), At(40, 1.9) };
        var latest = TrainingProgressCsvReader.LatestRun(log);
        Assert.Equal([10, 20, 30, 40], latest.Select(r => r.Iteration));
        Assert.Equal(2.0, latest[2].TrainLoss);
    }

    [Fact]
    public void A_training_run_logged_and_resumed_reads_back_as_one_rising_curve()
    {
        using var dir = new TestData.TempDirectory();
        string path = dir.File("progress.csv");
        var text = string.Concat(Enumerable.Repeat("the quick brown fox jumps over the lazy dog. ", 40));
        CharLanguageModelOptions Options(int iterations) => new()
        {
            HiddenSize = 16,
            Layers = 1,
            BatchSize = 8,
            SequenceLength = 16,
            MaxIterations = iterations,
            EvaluateEvery = 10,
            Seed = 1,
            ReportEvery = 5,
            CheckpointPath = dir.File("run.ckpt"),
        };
        foreach (int iterations in new[] { 20, 40 })
        {
            using var log = new TrainingProgressCsvWriter(path);
            CharLanguageModel.Train(text, Options(iterations), log);
        }
        var reports = TrainingProgressCsvReader.LatestRun(TrainingProgressCsvReader.Read(path));
        Assert.Equal([5, 10, 15, 20, 25, 30, 35, 40], reports.Select(r => r.Iteration));
        Assert.Equal([10, 20, 30, 40], reports.Where(r => r.ValidationLoss is not null).Select(r => r.Iteration));
    }
}
