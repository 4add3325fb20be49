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
    private static readonly string s_dll = SampleProcess.Dll("SentimentDll");

    [Fact]
    public void SIGINT_keeps_the_model_so_far_and_the_same_command_resumes_from_the_checkpoint()
    {
        using var dir = new TestData.TempDirectory();
        string[] command = ["--data", Path.Combine(TestData.Directory, "rt-polarity.pos"), "--model", "s.zip", "--checkpoint", "run.ckpt", "--plot", "curve.png"];
        // Stopped within the first epoch, before its evaluation: the stop's own evaluation is the first, so early
        // stopping has nothing to count and the resumed run has epochs left to train.
        string text = SampleProcess.Interrupt(s_dll, dir.Path, command, "\niter ", TimeSpan.FromSeconds(60));
        Assert.Contains("Stopped by Ctrl+C in ", text);
        Assert.Matches(@"Held-out 10%: accuracy \d+\.\d\d ?%", text);
        Assert.Contains("Saved s.zip.", text);
        Assert.Contains("Saved the loss curves to curve.png.", text);
        Assert.Matches("\"a gorgeous , witty , seductive movie .\": (positive|negative)", text);
        Assert.True(File.Exists(dir.File("s.zip")));
        Assert.True(File.Exists(dir.File("run.ckpt")));

        var (code, printed) = SampleProcess.RunToEnd(s_dll, dir.Path, command);
        Assert.True(code == 0, printed);
        Assert.True(SampleProcess.ResumedAt(printed, "run.ckpt") > 0);
        Assert.Contains("Trained in ", printed);
    }
}
