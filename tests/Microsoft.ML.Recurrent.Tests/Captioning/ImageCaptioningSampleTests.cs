using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.ML.Recurrent.Tests.LanguageModel;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Captioning;

/// <summary>
/// The captioning sample as a user runs it, on a small synthetic data set: Ctrl+C (SIGINT) during training keeps the
/// model trained so far (evaluated, saved, reloaded) and the checkpoint, the report page shows the loss curve, and the
/// same command resumes from the checkpoint. In the sample processes' collection, so nothing else slows the run the
/// SIGINT is timed against.
/// </summary>
[Collection(nameof(CharRnnSampleTests))]
public class ImageCaptioningSampleTests
{
    private static readonly string s_dll = typeof(ImageCaptioningSampleTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "ImageCaptioningDll").Value!;

    [Fact]
    public void SIGINT_keeps_the_model_so_far_the_report_shows_the_curve_and_the_same_command_resumes()
    {
        using var dir = new TestData.TempDirectory();
        // 200 images × 3 captions, 5 % validating: 17 batches an epoch, 51 in all; the first progress line comes at 10.
        string[] command = ["--out", "out", "--train", "200", "--test", "20", "--heldout", "0", "--epochs", "3", "--hidden", "64", "--checkpoint", "run.ckpt"];
        var output = new StringBuilder();
        using (var process = SampleProcess.Start(s_dll, dir.Path, command, output))
        {
            var waited = Stopwatch.StartNew();
            while (!Contains(output, "\niter ") && !process.HasExited && waited.Elapsed < TimeSpan.FromSeconds(90)) Thread.Sleep(50);
            Assert.True(Contains(output, "\niter "), "No progress line within 90 s:\n" + output);
            using (var kill = Process.Start("kill", ["-INT", process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                kill.WaitForExit();
                Assert.Equal(0, kill.ExitCode);
            }
            bool exited = process.WaitForExit(TimeSpan.FromSeconds(90));
            if (!exited) process.Kill(entireProcessTree: true);
            Assert.True(exited, "The sample did not exit within 90 s of SIGINT:\n" + output);
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"exit code {process.ExitCode}:\n{output}");
        }
        string text = output.ToString();
        Assert.Contains("Featurization + training (stopped by Ctrl+C): ", text);
        Assert.Matches(@"in-distribution\s+20 images: BLEU-1 \d\.\d{3}", text);
        Assert.Contains("reloaded, it writes the same captions.", text);
        Assert.True(File.Exists(dir.File("run.ckpt")));
        Assert.True(File.Exists(dir.File("out/captioner.zip")));
        string page = File.ReadAllText(dir.File("out/captions.html"));
        Assert.Contains("<img src=\"loss.svg\"", page);
        Assert.Contains("<svg", File.ReadAllText(dir.File("out/loss.svg")));

        var (code, printed) = SampleProcess.RunToEnd(s_dll, dir.Path, command);
        Assert.True(code == 0, printed);
        var resumed = Regex.Match(printed, @"Resumed from the checkpoint run\.ckpt at iteration (\d+)\.");
        Assert.True(resumed.Success, printed);
        Assert.InRange(int.Parse(resumed.Groups[1].Value, CultureInfo.InvariantCulture), 1, 50);
        Assert.Matches(@"iter\s+51\s+epoch\s+3\.00", printed);
        Assert.Contains("Featurization + training: ", printed);
    }

    private static bool Contains(StringBuilder output, string text)
    {
        lock (output) return output.ToString().Contains(text, StringComparison.Ordinal);
    }
}
