using Microsoft.ML.Recurrent.Tests.LanguageModel;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Translation;

/// <summary>
/// The translation sample as a user runs it on pairs of their own (`--data`: 2,000 word sequences and their reversals):
/// Ctrl+C (SIGINT) during training keeps the model trained so far (evaluated, saved, reloaded to translate) and the
/// checkpoint, and the same command resumes from the checkpoint. In the sample processes' collection, so nothing else
/// slows the run the SIGINT is timed against.
/// </summary>
[Collection(nameof(CharRnnSampleTests))]
public class TranslationSampleTests
{
    private static readonly string s_dll = SampleProcess.Dll("TranslationDll");

    [Fact]
    public void SIGINT_keeps_the_model_so_far_and_the_same_command_resumes_from_the_checkpoint()
    {
        using var dir = new TestData.TempDirectory();
        var random = new Random(7);
        string[] words = ["red", "green", "blue", "cat", "dog", "bird", "runs", "sleeps", "big", "small", "the", "a"];
        File.WriteAllLines(dir.File("pairs.tsv"), Enumerable.Range(0, 2000).Select(_ =>
        {
            var source = Enumerable.Range(0, random.Next(3, 7)).Select(_ => words[random.Next(words.Length)]).ToArray();
            return $"{string.Join(' ', source)}\t{string.Join(' ', source.Reverse())}";
        }));
        // 0.3 minutes in all: the first run is stopped at its first progress line, the resumed one trains what is left.
        string[] command = ["--data", "pairs.tsv", "--model", "r.s2s", "--minutes", "0.3", "--checkpoint", "run.ckpt"];
        string text = SampleProcess.Interrupt(s_dll, dir.Path, command, "\niter ", TimeSpan.FromSeconds(60));
        Assert.Contains("Stopped by Ctrl+C in ", text);
        Assert.Matches(@"Test \([\d,]+ sentences, greedy\): BLEU-4 \d+\.\d\d", text);
        Assert.Contains("Saved the model to r.s2s.", text);
        Assert.True(File.Exists(dir.File("r.s2s")));
        Assert.True(File.Exists(dir.File("run.ckpt")));

        var (code, printed) = SampleProcess.RunToEnd(s_dll, dir.Path, command);
        Assert.True(code == 0, printed);
        Assert.True(SampleProcess.ResumedAt(printed, "run.ckpt") > 0);
        Assert.Contains("Trained in ", printed);
    }
}
