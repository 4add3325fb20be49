using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.ML.Recurrent.Tests.LanguageModel;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Classification;

/// <summary>
/// The sentiment sample as a user runs it on rt-polarity: Ctrl+C (SIGINT) after its first checkpoint keeps the model
/// trained so far and the checkpoint, the same command resumes from it, and --plot draws the curves. In the sample
/// processes' collection, so nothing else slows the run the SIGINT is timed against.
/// </summary>
[Collection(nameof(CharRnnSampleTests))]
public class SentimentSampleTests
{
    private static readonly string s_dll = typeof(SentimentSampleTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "SentimentDll").Value!;

    [Fact]
    public void SIGINT_keeps_the_model_so_far_and_the_same_command_resumes_from_the_checkpoint()
    {
        using var dir = new TestData.TempDirectory();
        string[] command = ["--data", Path.Combine(TestData.Directory, "rt-polarity.pos"), "--model", "s.zip", "--checkpoint", "run.ckpt", "--plot", "curve.png"];
        var output = new StringBuilder();
        using (var process = SampleProcess.Start(s_dll, dir.Path, command, output))
        {
            // Stopped within the first epoch, before its evaluation: the stop's own evaluation is the first, so early
            // stopping has nothing to count and the resumed run has epochs left to train.
            var waited = Stopwatch.StartNew();
            while (!Contains(output, "\niter ") && !process.HasExited && waited.Elapsed < TimeSpan.FromSeconds(60)) Thread.Sleep(50);
            Assert.True(Contains(output, "\niter "), "No progress line within 60 s:\n" + output);
            using (var kill = Process.Start("kill", ["-INT", process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                kill.WaitForExit();
                Assert.Equal(0, kill.ExitCode);
            }
            bool exited = process.WaitForExit(TimeSpan.FromSeconds(60));
            if (!exited) process.Kill(entireProcessTree: true);
            Assert.True(exited, "The sample did not exit within 60 s of SIGINT:\n" + output);
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"exit code {process.ExitCode}:\n{output}");
        }
        string text = output.ToString();
        Assert.Contains("Stopped by Ctrl+C in ", text);
        Assert.Matches(@"Held-out 10%: accuracy \d+\.\d\d ?%", text);
        Assert.Contains("Saved s.zip.", text);
        Assert.Contains("Saved the loss curves to curve.png.", text);
        Assert.Matches("\"a gorgeous , witty , seductive movie .\": (positive|negative)", text);
        Assert.True(File.Exists(dir.File("s.zip")));
        Assert.True(File.Exists(dir.File("run.ckpt")));

        var (code, printed) = SampleProcess.RunToEnd(s_dll, dir.Path, command);
        Assert.True(code == 0, printed);
        var resumed = Regex.Match(printed, @"Resumed from the checkpoint run\.ckpt at iteration (\d+)\.");
        Assert.True(resumed.Success, printed);
        Assert.True(int.Parse(resumed.Groups[1].Value, CultureInfo.InvariantCulture) > 0);
        Assert.Contains("Trained in ", printed);
    }

    private static bool Contains(StringBuilder output, string text)
    {
        lock (output) return output.ToString().Contains(text, StringComparison.Ordinal);
    }
}
