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
    private static readonly string s_dll = SampleProcess.Dll("PosTaggingDll");

    [Fact]
    public void SIGINT_keeps_the_model_so_far_and_the_same_command_resumes_from_the_checkpoint()
    {
        using var dir = new TestData.TempDirectory();
        var (_, _, brownTest) = BrownCorpus.Load(TestData.Directory);
        File.WriteAllLines(dir.File("brown.conll"), brownTest.Take(1500).SelectMany(s => s.Tokens.Zip(s.Labels, (t, l) => $"{t}\t{l}").Append("")));
        // 0.3 minutes in all: the first run is stopped at its first progress line, the resumed one trains what is left.
        string[] command = ["--data", "brown.conll", "--model", "t.zip", "--minutes", "0.3", "--checkpoint", "run.ckpt", "--plot", "curve.png"];
        string text = SampleProcess.Interrupt(s_dll, dir.Path, command, "\niter ", TimeSpan.FromSeconds(60));
        Assert.Contains("Stopped by Ctrl+C in ", text);
        Assert.Matches(@"Test: token accuracy \d+\.\d\d ?%", text);
        Assert.Contains("Saved the pipeline to t.zip.", text);
        Assert.Contains("Saved the loss curves to curve.png.", text);
        Assert.Matches(@"The/\S+ jury/\S+", text); // the reloaded zip tags the default sentences
        Assert.True(File.Exists(dir.File("run.ckpt")));
        Assert.True(new FileInfo(dir.File("curve.png")).Length > 0);

        var (code, printed) = SampleProcess.RunToEnd(s_dll, dir.Path, command);
        Assert.True(code == 0, printed);
        Assert.True(SampleProcess.ResumedAt(printed, "run.ckpt") > 0);
        Assert.Contains("Trained in ", printed);
    }
}
