using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.ML.Recurrent.Tests.LanguageModel;
using PosTagging;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Tagging;

/// <summary>
/// The tagging sample as a user runs it, on a CoNLL-style file of 1,500 Brown sentences: Ctrl+C (SIGINT) during
/// training keeps the model trained so far (evaluated, saved, reloaded to tag) and the checkpoint, --plot draws the
/// curves, and the same command resumes from the checkpoint. In the sample processes' collection, so nothing else
/// slows the run the SIGINT is timed against.
/// </summary>
[Collection(nameof(CharRnnSampleTests))]
public class PosTaggingSampleTests
{
    private static readonly string s_dll = typeof(PosTaggingSampleTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "PosTaggingDll").Value!;

    [Fact]
    public void SIGINT_keeps_the_model_so_far_and_the_same_command_resumes_from_the_checkpoint()
    {
        using var dir = new TestData.TempDirectory();
        var (_, _, brownTest) = BrownCorpus.Load(TestData.Directory);
        File.WriteAllLines(dir.File("brown.conll"), brownTest.Take(1500).SelectMany(s => s.Tokens.Zip(s.Labels, (t, l) => $"{t}\t{l}").Append("")));
        // 0.3 minutes in all: the first run is stopped at its first progress line, the resumed one trains what is left.
        string[] command = ["--data", "brown.conll", "--model", "t.zip", "--minutes", "0.3", "--checkpoint", "run.ckpt", "--plot", "curve.png"];
        var output = new StringBuilder();
        using (var process = SampleProcess.Start(s_dll, dir.Path, command, output))
        {
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
        Assert.Matches(@"Test: token accuracy \d+\.\d\d ?%", text);
        Assert.Contains("Saved the pipeline to t.zip.", text);
        Assert.Contains("Saved the loss curves to curve.png.", text);
        Assert.Matches(@"The/\S+ jury/\S+", text); // the reloaded zip tags the default sentences
        Assert.True(File.Exists(dir.File("run.ckpt")));
        Assert.True(new FileInfo(dir.File("curve.png")).Length > 0);

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
