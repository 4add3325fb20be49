using Microsoft.ML.Recurrent.LanguageModel;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Training;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Training;

public class TrainerTests
{
    private static CharLanguageModelOptions Small(int iterations) => new()
    {
        Cell = RecurrentCell.Lstm,
        HiddenSize = 24,
        Layers = 2,
        Dropout = 0.2f,
        BatchSize = 8,
        SequenceLength = 16,
        MaxIterations = iterations,
        EvaluateEvery = 10,
        ValidationFraction = 0.1f,
        Seed = 3,
    };

    [Theory]
    [InlineData(OptimizerKind.Adam)]
    [InlineData(OptimizerKind.RmsProp)]
    [InlineData(OptimizerKind.Adagrad)]
    public void SameSeedGivesIdenticalModelsAndOtherSeedsDiffer(OptimizerKind optimizer)
    {
        string text = TestData.TinyShakespeare(20_000);
        var o = Small(25);
        o.Optimizer = optimizer;
        var a = CharLanguageModel.Train(text, o);
        var b = CharLanguageModel.Train(text, o);
        Assert.Equal(a.Network.Parameters.Values, b.Network.Parameters.Values);
        Assert.Equal(a.Generate("ROMEO:", 80, 0.8f, seed: 5), b.Generate("ROMEO:", 80, 0.8f, seed: 5));
        o.Seed = 4;
        var c = CharLanguageModel.Train(text, o);
        Assert.NotEqual(a.Network.Parameters.Values, c.Network.Parameters.Values);
    }

    [Fact]
    public void ResumingFromACheckpointMatchesAnUninterruptedRun()
    {
        using var dir = new TestData.TempDirectory();
        string text = TestData.TinyShakespeare(20_000);
        var o = Small(40);
        o.KeepBest = false;
        var uninterrupted = new LanguageModelTrainer(text, o);
        var uninterruptedModel = CharLanguageModel.Train(text, o);

        o.CheckpointPath = dir.File("run.ckpt");
        o.MaxIterations = 20; // the "interrupted" run stops here and leaves its checkpoint
        CharLanguageModel.Train(text, o);
        Assert.True(File.Exists(o.CheckpointPath));
        o.MaxIterations = 40;
        var reports = new List<TrainingProgress>();
        var lines = new List<string>();
        var resumed = CharLanguageModel.Train(text, o, new RecordedProgress(reports), lines.Add, default);

        // A real resume starts at the checkpoint's iteration and does only the remaining 20: a rerun from iteration 0
        // would end with the same weights (training is deterministic) but report 10, 20, 30, 40.
        Assert.Equal($"Resumed from checkpoint '{o.CheckpointPath}' at iteration 20.", lines[0]);
        Assert.Equal([30, 40], reports.Select(r => r.Iteration));
        Assert.Equal(uninterruptedModel.Network.Parameters.Values, resumed.Network.Parameters.Values);
        Assert.Equal(uninterruptedModel.ValidationLoss, resumed.ValidationLoss);
        Assert.NotEqual(uninterrupted.Network.Parameters.Values, resumed.Network.Parameters.Values); // 40 updates moved the weights
    }

    [Fact]
    public void ACheckpointOfOtherOptionsIsRefused()
    {
        using var dir = new TestData.TempDirectory();
        string text = TestData.TinyShakespeare(20_000);
        var o = Small(10);
        o.CheckpointPath = dir.File("run.ckpt");
        CharLanguageModel.Train(text, o);
        o.HiddenSize = 32;
        var e = Assert.Throws<InvalidOperationException>(() => CharLanguageModel.Train(text, o));
        Assert.Contains("HiddenSize 24, now 32", e.Message);
    }

    [Fact]
    public void ACorruptCheckpointIsReportedNotLoaded()
    {
        using var dir = new TestData.TempDirectory();
        string text = TestData.TinyShakespeare(20_000);
        var o = Small(10);
        o.CheckpointPath = dir.File("run.ckpt");
        CharLanguageModel.Train(text, o);
        var bytes = File.ReadAllBytes(o.CheckpointPath);
        bytes[bytes.Length / 2] ^= 0x5A;
        File.WriteAllBytes(o.CheckpointPath, bytes);
        var e = Assert.Throws<InvalidDataException>(() => CharLanguageModel.Train(text, o));
        Assert.Contains("checksum", e.Message);
    }

    [Fact]
    public void DivergenceStopsWithAClearErrorNamingTheIntactCheckpoint()
    {
        string text = TestData.TinyShakespeare(20_000);
        var o = Small(100);
        o.CheckpointPath = "never-written.ckpt";
        var trainer = new LanguageModelTrainer(text, o);
        trainer.TrainStep();
        trainer.Network.Parameters.Values[trainer.Network.Output.Bias.Offset] = float.NaN; // what an exploding update leaves behind
        var e = Assert.Throws<InvalidOperationException>(() => trainer.TrainStep());
        Assert.Contains("diverged at iteration 2", e.Message);
        Assert.Contains("'never-written.ckpt' is intact", e.Message);
    }

    [Fact]
    public void ProgressReportsIterationsLossesThroughputAndTimeLeft()
    {
        string text = TestData.TinyShakespeare(20_000);
        var o = Small(20);
        o.ReportEvery = 5;
        o.SampleLength = 30;
        var reports = new List<TrainingProgress>();
        CharLanguageModel.Train(text, o, new RecordedProgress(reports));
        Assert.Equal([5, 10, 15, 20], reports.Select(r => r.Iteration));
        Assert.All(reports, r => Assert.True(r.TrainLoss > 0 && r.CharsPerSecond > 0 && r.Remaining != null));
        var evaluation = reports.Single(r => r.Iteration == 10);
        Assert.NotNull(evaluation.ValidationLoss);
        Assert.Equal(evaluation.ValidationLoss!.Value / Math.Log(2), evaluation.ValidationBitsPerChar!.Value, 9);
        Assert.Equal(30, evaluation.Sample!.Length);
        Assert.Equal(TimeSpan.Zero, reports[^1].Remaining);
    }

    [Fact]
    public void LearningRateDecayAndGlobalNormClippingChangeTheTrajectory()
    {
        string text = TestData.TinyShakespeare(5_000);
        var o = Small(40);
        o.ValidationFraction = 0;
        var baseline = CharLanguageModel.Train(text, o).Network.Parameters.Values;
        o.MaxGradientNorm = 0.1f;
        var clipped = CharLanguageModel.Train(text, o).Network.Parameters.Values;
        Assert.NotEqual(baseline, clipped);
        o.MaxGradientNorm = 0;
        o.LearningRateDecay = 0.5f;
        o.DecayAfterEpoch = 1; // 5,000 characters are ~38 chunks of 8×16: the decay starts inside the run
        var decayed = CharLanguageModel.Train(text, o).Network.Parameters.Values;
        Assert.NotEqual(baseline, decayed);
    }

    /// <summary>
    /// A small LSTM on tiny Shakespeare for 300 iterations. The unigram baseline (validation cross-entropy
    /// under the training characters' frequencies) is ≈ 3.3 nats/char; the model must end at least 0.8
    /// nats below it (it reaches ≈ 2.2).
    /// </summary>
    [Fact]
    public void LearnsTinyShakespeareWellBelowTheUnigramBaseline()
    {
        string text = TestData.TinyShakespeare(300_000);
        var o = new CharLanguageModelOptions
        {
            HiddenSize = 64,
            Layers = 2,
            BatchSize = 32,
            SequenceLength = 32,
            MaxIterations = 300,
            EvaluateEvery = 300,
            LearningRate = 4e-3f,
        };
        var model = CharLanguageModel.Train(text, o);
        double unigram = UnigramCrossEntropy(text[..270_000], text[270_000..]);
        Assert.InRange(unigram, 3.0, 3.6);
        Assert.True(model.ValidationLoss < unigram - 0.8, $"validation {model.ValidationLoss:F3} vs unigram {unigram:F3}");
    }

    private static double UnigramCrossEntropy(string train, string validation)
    {
        var counts = train.GroupBy(c => c).ToDictionary(g => g.Key, g => (double)g.Count());
        return -validation.Average(c => Math.Log(counts.GetValueOrDefault(c, 0.5) / train.Length));
    }
}
