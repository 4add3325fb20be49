using System.Text.RegularExpressions;
using Microsoft.ML.Recurrent.Tests.LanguageModel;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Captioning;

/// <summary>
/// The captioning sample as a user runs it, on a small synthetic data set: Ctrl+C (SIGINT) during training keeps the
/// model trained so far (evaluated, saved, reloaded) and the checkpoint, the report page shows the loss curve and each
/// word's attention map, the strip-pooled comparison is scored beside attention, and the same command resumes from the
/// checkpoint. In the sample processes' collection, so nothing else slows the run the
/// SIGINT is timed against.
/// </summary>
[Collection(nameof(CharRnnSampleTests))]
public class ImageCaptioningSampleTests
{
    private static readonly string s_dll = SampleProcess.Dll("ImageCaptioningDll");

    [Fact]
    public void SIGINT_keeps_the_model_so_far_the_report_shows_the_curve_and_the_same_command_resumes()
    {
        using var dir = new TestData.TempDirectory();
        // 200 images × 3 captions, 5 % validating: 17 batches an epoch, 136 in all; the first progress line comes at 10.
        // Eight epochs, not three: on a quiet machine three ran in under a second after that line, and the SIGINT
        // then came after training had ended (CI, 2026-12-03; training ran at 26,000 words/s).
        string[] command = ["--out", "out", "--train", "200", "--test", "20", "--heldout", "0", "--epochs", "8", "--hidden", "64", "--compare", "strips", "--checkpoint", "run.ckpt"];
        string text = SampleProcess.Interrupt(s_dll, dir.Path, command, "\niter ", TimeSpan.FromSeconds(90));
        Assert.Contains("Featurization + training (stopped by Ctrl+C): ", text);
        Assert.Matches(@"in-distribution greedy\s+20 images: BLEU-1 \d\.\d{3}", text);
        Assert.Matches(@"\| stage-3 7×7 grid \+ attention \| beam 3 \| in-distribution \| 20 \| \d\.\d{3} \|", text);
        Assert.Matches(@"\| 3 strips \| greedy \| in-distribution \| 20 \| \d\.\d{3} \|", text);
        Assert.Contains("reloaded, it writes the same captions.", text);
        Assert.True(File.Exists(dir.File("run.ckpt")));
        Assert.True(File.Exists(dir.File("out/captioner.zip")));
        string page = File.ReadAllText(dir.File("out/captions.html"));
        Assert.Contains("<img src=\"loss.svg\"", page);
        // One map per word and the end, each of the 7×7 regions a cell.
        Assert.Contains("<div class=\"cells\" style=\"background-image:url('data/images/test-00000.png')\">", page);
        Assert.Equal(49, Regex.Matches(page, "<div class=\"cells\"[^>]*>((<i [^>]*></i>)*)</div>").First().Groups[2].Captures.Count);
        Assert.Contains("<svg", File.ReadAllText(dir.File("out/loss.svg")));

        var (code, printed) = SampleProcess.RunToEnd(s_dll, dir.Path, command);
        Assert.True(code == 0, printed);
        Assert.InRange(SampleProcess.ResumedAt(printed, "run.ckpt"), 1, 135);
        Assert.Matches(@"iter\s+136\s+epoch\s+8\.00", printed);
        Assert.Contains("Featurization + training: ", printed);
    }
}
