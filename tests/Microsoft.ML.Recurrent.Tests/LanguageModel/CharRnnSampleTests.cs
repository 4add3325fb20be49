using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.LanguageModel;

/// <summary>
/// The CharRnn sample as a user runs it, as a separate process on real files: killed with SIGKILL and restarted,
/// stopped with Ctrl+C (SIGINT), and given a checkpoint of another run. Each run works in its own folder, so the
/// commands are identical to the letter. They run alone, in a collection of their own, so that the machine's other
/// tests do not slow the runs they time their kill and SIGINT against, nor these runs slow the other tests.
/// </summary>
[Collection(nameof(CharRnnSampleTests))]
public class CharRnnSampleTests
{
    private const int Iterations = 300;
    private const int EvaluateEvery = 10;

    private static readonly string s_dll = SampleProcess.Dll("CharRnnDll");

    // Small enough to finish in seconds (about 4 s here), long enough to be caught after its first checkpoints.
    private static readonly string[] s_command =
    [
        "--data", "text.txt", "--hidden", "64", "--layers", "2", "--iterations", $"{Iterations}", "--evaluate-every", $"{EvaluateEvery}",
        "--seed", "5", "--checkpoint", "run.ckpt", "--model", "model.rnnlm", "--length", "40",
    ];

    private static readonly Regex s_resumed = new(@"Resumed from the checkpoint run\.ckpt at iteration (\d+)\.");

    [Fact]
    public void Killed_with_SIGKILL_and_restarted_it_resumes_and_ends_with_the_model_of_an_uninterrupted_run()
    {
        using var straight = Folder();
        var (code, uninterrupted) = RunToEnd(straight.Path, s_command);
        Assert.True(code == 0, uninterrupted);
        Assert.DoesNotMatch(s_resumed, uninterrupted);

        using var killed = Folder();
        var output = new StringBuilder();
        using (var process = Start(killed.Path, s_command, output))
        {
            WaitForCheckpoint(killed.File("run.ckpt"), process, output);
            process.Kill(entireProcessTree: true); // SIGKILL on Linux: no handler runs, nothing is saved on the way out
            process.WaitForExit();
        }
        Assert.False(File.Exists(killed.File("model.rnnlm")), "The run ended before it was killed:\n" + output);

        var (again, printed) = RunToEnd(killed.Path, s_command);
        Assert.True(again == 0, printed);
        var resumed = s_resumed.Match(printed);
        Assert.True(resumed.Success, "The restarted run did not say it resumed:\n" + printed);
        int at = int.Parse(resumed.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.InRange(at, EvaluateEvery, Iterations - EvaluateEvery);
        Assert.Equal(0, at % EvaluateEvery); // checkpoints are written at evaluations only
        Assert.Equal(File.ReadAllBytes(straight.File("model.rnnlm")), File.ReadAllBytes(killed.File("model.rnnlm")));
        Assert.Equal(Sample(uninterrupted), Sample(printed));
    }

    [Fact]
    public void SIGINT_stops_training_saves_the_model_and_the_checkpoint_and_exits_with_0()
    {
        using var dir = Folder();
        var output = new StringBuilder();
        int stoppedAt;
        using (var process = Start(dir.Path, s_command, output))
        {
            WaitForCheckpoint(dir.File("run.ckpt"), process, output);
            using (var kill = Process.Start("kill", ["-INT", process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                kill.WaitForExit();
                Assert.Equal(0, kill.ExitCode);
            }
            bool exited = process.WaitForExit(TimeSpan.FromSeconds(15));
            if (!exited) process.Kill(entireProcessTree: true);
            Assert.True(exited, "The sample did not exit within 15 s of SIGINT:\n" + output);
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"exit code {process.ExitCode}:\n{output}");
            var stopped = Regex.Match(output.ToString(), @"Stopped by Ctrl\+C at iteration (\d+)");
            Assert.True(stopped.Success, output.ToString());
            stoppedAt = int.Parse(stopped.Groups[1].Value, CultureInfo.InvariantCulture);
            Assert.InRange(stoppedAt, EvaluateEvery, Iterations - 1);
        }
        string text = output.ToString();
        Assert.Contains("Saved the model to model.rnnlm.", text);
        Assert.Contains("Saved the checkpoint to run.ckpt", text);
        var model = CharLanguageModel.Load(dir.File("model.rnnlm"));
        Assert.Equal((RecurrentCell.Lstm, 2, 64), (model.Cell, model.Layers, model.HiddenSize));
        Assert.NotNull(model.ValidationLoss);

        // The checkpoint was written where training stopped (not only at the last scheduled evaluation).
        var (code, printed) = RunToEnd(dir.Path, s_command);
        Assert.True(code == 0, printed);
        Assert.Contains($"Resumed from the checkpoint run.ckpt at iteration {stoppedAt}.", printed);
    }

    [Fact]
    public void A_checkpoint_of_other_options_or_data_is_refused_in_one_line_that_says_what_differs()
    {
        using var dir = Folder();
        string[] shortRun = [.. s_command.Select(a => a == $"{Iterations}" ? "20" : a)];
        var (code, printed) = RunToEnd(dir.Path, shortRun);
        Assert.True(code == 0, printed);

        (code, printed) = RunToEnd(dir.Path, [.. shortRun.Select(a => a == "64" ? "32" : a)]);
        Assert.Equal(1, code);
        string error = Assert.Single(printed.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.Equal("error: The checkpoint 'run.ckpt' belongs to another run (HiddenSize 64, now 32); delete the file or choose another checkpoint path.", error);
        Assert.DoesNotContain("   at ", printed); // no stack trace

        File.AppendAllText(dir.File("text.txt"), "\nMore text.\n");
        (code, printed) = RunToEnd(dir.Path, shortRun);
        Assert.Equal(1, code);
        Assert.Contains("error: The checkpoint 'run.ckpt' belongs to another run (different training data or task options); delete the file", printed);
        Assert.DoesNotContain("   at ", printed);
    }

    [Fact]
    public void Visualize_ranks_cells_by_text_features_and_writes_the_page_colouring_text_by_them()
    {
        using var dir = Folder();
        string[] shortRun = [.. s_command.Select(a => a == $"{Iterations}" ? "20" : a)];
        var (code, printed) = RunToEnd(dir.Path, shortRun);
        Assert.True(code == 0, printed);

        (code, printed) = RunToEnd(dir.Path, ["--sample-only", "--data", "text.txt", "--model", "model.rnnlm", "--length", "10", "--visualize", "out/cells.html"]);
        Assert.True(code == 0, printed);
        Assert.Matches(@"Cells that follow features of 2,9\d\d held-out characters of text\.txt", printed); // 10 % of 30,000 from the first line start
        Assert.Matches(@"position in line +layer [12] unit \d+ (hidden|cell) state r = [+-]0\.\d\d", printed);
        string page = File.ReadAllText(dir.File("out/cells.html"));
        Assert.Contains("<td>position in line</td><td>1</td>", page);
        Assert.Contains("const data = {\"text\":[", page);
        Assert.DoesNotContain("{{", page); // every placeholder filled

        (code, printed) = RunToEnd(dir.Path, ["--sample-only", "--data", "text.txt", "--model", "model.rnnlm", "--length", "10", "--visualize", "chosen.html", "--cells", "2:c:5,1:o:63"]);
        Assert.True(code == 0, printed);
        Assert.Contains("coloured by 2 cells", printed);
        Assert.Contains("\"label\":\"layer 1 unit 63 OutputGate\"", File.ReadAllText(dir.File("chosen.html")));

        (code, printed) = RunToEnd(dir.Path, ["--sample-only", "--data", "text.txt", "--model", "model.rnnlm", "--visualize", "bad.html", "--cells", "3:h:0"]);
        Assert.Equal(1, code);
        Assert.Contains("error: --cells: the model has no layer 3 unit 0 hidden state (2 layers of 64 units", printed);
        (code, printed) = RunToEnd(dir.Path, ["--sample-only", "--visualize", "bad.html", "--cells", "1:x:0"]);
        Assert.NotEqual(0, code);
        Assert.Contains("--cells: '1:x:0' is not a list of LAYER:KIND:UNIT", printed);
        Assert.False(File.Exists(dir.File("bad.html")));
    }

    [Fact]
    public void With_plot_and_a_progress_log_a_resumed_run_draws_the_curves_of_both_sessions_as_a_png()
    {
        // Also the check that the sample, on SkiaSharp 3 through the plotting library, runs from its own folder while this
        // test assembly (SkiaSharp 2.88 for ML.NET's ImageAnalytics) only builds it.
        using var dir = Folder();
        string[] command = [.. s_command.Select(a => a == $"{Iterations}" ? "20" : a), "--progress-csv", "log.csv", "--plot", "curve.png"];
        var (code, printed) = RunToEnd(dir.Path, command);
        Assert.True(code == 0, printed);
        Assert.Contains("Saved the loss curves to curve.png.", printed);
        byte[] first = File.ReadAllBytes(dir.File("curve.png"));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], first[..4]);
        Assert.Equal(900, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(first.AsSpan(16))); // the IHDR width

        (code, printed) = RunToEnd(dir.Path, [.. command.Select(a => a == "20" ? "40" : a)]);
        Assert.True(code == 0, printed);
        Assert.Matches(s_resumed, printed);
        Assert.Equal(4, TrainingProgressCsvReader.LatestRun(TrainingProgressCsvReader.Read(dir.File("log.csv"))).Count(r => r.ValidationLoss is not null));
        Assert.NotEqual(first, File.ReadAllBytes(dir.File("curve.png")));
        Assert.Equal(["curve.png"], Directory.GetFiles(dir.Path, "*curve.png*").Select(Path.GetFileName)); // no temporary file left
    }

    /// <summary>The collection that keeps these tests from running beside others.</summary>
    [CollectionDefinition(nameof(CharRnnSampleTests), DisableParallelization = true)]
    public sealed class Alone;

    /// <summary>A scratch folder holding the training text.</summary>
    private static TestData.TempDirectory Folder()
    {
        var dir = new TestData.TempDirectory();
        File.WriteAllText(dir.File("text.txt"), TestData.TinyShakespeare(30_000));
        return dir;
    }

    /// <summary>What the sample generated from the saved model, between its '---- sample' line and the closing '----'.</summary>
    private static string Sample(string printed) => printed[printed.LastIndexOf("---- sample", StringComparison.Ordinal)..];

    private static Process Start(string folder, string[] arguments, StringBuilder output) => SampleProcess.Start(s_dll, folder, arguments, output);

    private static (int Code, string Output) RunToEnd(string folder, string[] arguments) => SampleProcess.RunToEnd(s_dll, folder, arguments);

    /// <summary>Waits (at most a minute) until training has written its first checkpoint, failing if the process ends first.</summary>
    private static void WaitForCheckpoint(string path, Process process, StringBuilder output)
    {
        var waited = Stopwatch.StartNew();
        while (!File.Exists(path))
        {
            Assert.False(process.HasExited, "The sample ended before it wrote a checkpoint:\n" + output);
            Assert.True(waited.Elapsed < TimeSpan.FromMinutes(1), "No checkpoint after a minute:\n" + output);
            Thread.Sleep(10);
        }
    }
}
