using Microsoft.ML.Recurrent.Classification;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Numerics;
using Microsoft.ML.Recurrent.Tests.Captioning;
using Microsoft.ML.Recurrent.Training;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Training;

/// <summary>
/// The loop's promises for every task, through each task's own entry point: a divergence stops training with the
/// last good checkpoint intact, a resumed run does only the remaining iterations and ends where an uninterrupted one
/// does, the shared options are validated by name, and no seed means seed 1.
/// </summary>
public class EveryTaskTrainingTests
{
    public static TheoryData<string> Tasks => ["language model", "classifier", "captioner"];

    // Each task small enough to train for a few dozen iterations in well under a second, with validation data, and
    // with more than one epoch in 28 iterations so a checkpoint falls mid-epoch after a finished one.
    private static RecurrentTrainerOptions Small(string task) => task switch
    {
        "language model" => new CharLanguageModelOptions
        {
            HiddenSize = 16,
            Layers = 2,
            Dropout = 0.2f,
            BatchSize = 8,
            SequenceLength = 16,
            ValidationFraction = 0.1,
            Seed = 3,
        },
        "classifier" => new SequenceClassifierOptions
        {
            EmbeddingSize = 8,
            HiddenSize = 8,
            BatchSize = 16,
            ValidationFraction = 0.2,
            NgramBuckets = 1024,
            WordDropout = 0.1f,
            Seed = 5,
        },
        "captioner" => new CaptionerOptions
        {
            EmbeddingSize = 8,
            HiddenSize = 16,
            BatchSize = 8,
            LearningRate = 0.01f,
            Dropout = 0.1f,
            ValidationFraction = 0.2,
            Seed = 3,
        },
        _ => throw new ArgumentOutOfRangeException(nameof(task)),
    };

    private static float[] Train(string task, RecurrentTrainerOptions options)
    {
        switch (options)
        {
            case CharLanguageModelOptions o:
                return CharLanguageModel.Train(TestData.TinyShakespeare(3_000), o).Network.Parameters.Values;
            case SequenceClassifierOptions o:
                var random = new Random(1);
                var tokens = Enumerable.Range(0, 300).Select(_ => Enumerable.Range(0, random.Next(1, 9)).Select(_ => random.Next(1, 20)).ToArray()).ToArray();
                var labels = tokens.Select(t => t.Contains(3) ? 1 : 0).ToArray();
                return SequenceClassifierTrainer.Train(SequenceDataset.FromTokens(tokens, 20, labels, 2), o).Parameters.Values;
            case CaptionerOptions o:
                var (features, captions, _) = TinyCaptionTask.Make(60, 2);
                return ImageCaptioner.Train(features, captions, o).Network.Parameters.Values;
            default:
                throw new ArgumentOutOfRangeException(nameof(task));
        }
    }

    private static RecurrentTrainerOptions Run(string task, int iterations, string? checkpoint = null, int evaluateEvery = 4)
    {
        var o = Small(task);
        o.MaxIterations = iterations;
        o.EvaluateEvery = evaluateEvery;
        o.KeepBest = false; // the weights compared are the last ones, not a best one that could come from before the resume
        o.Patience = null;
        o.CheckpointPath = checkpoint;
        return o;
    }

    [Theory]
    [MemberData(nameof(Tasks))]
    public void ResumingDoesOnlyTheRemainingIterationsAndEndsAsAnUninterruptedRun(string task)
    {
        using var dir = new TestData.TempDirectory();
        var uninterrupted = Train(task, Run(task, 28));

        string checkpoint = dir.File("run.ckpt");
        var interrupted = Train(task, Run(task, 20, checkpoint)); // stops here and leaves its checkpoint
        var resumedOptions = Run(task, 28, checkpoint);
        var reports = new List<TrainingProgress>();
        resumedOptions.Progress = new RecordedProgress(reports);
        var resumed = Train(task, resumedOptions);

        Assert.Equal([24, 28], reports.Where(r => r.ValidationLoss != null).Select(r => r.Iteration)); // not 4, 8, …: it started at 20
        Assert.All(reports.Where(r => r.ValidationLoss != null), r => Assert.Equal(task == "classifier", r.ValidationAccuracy is >= 0 and <= 1));
        Assert.Equal(uninterrupted, resumed);
        Assert.NotEqual(interrupted, resumed);
    }

    [Theory]
    [MemberData(nameof(Tasks))]
    public void ADivergenceStopsTrainingAndLeavesTheLastGoodCheckpoint(string task)
    {
        using var dir = new TestData.TempDirectory();
        string checkpoint = dir.File("run.ckpt");
        TrainingLoop.GradientHook = (iteration, gradients) =>
        {
            if (iteration == 9) gradients[gradients.Length / 2] = float.NaN; // what an exploding backward leaves behind
        };
        InvalidOperationException e;
        try
        {
            e = Assert.Throws<InvalidOperationException>(() => Train(task, Run(task, 28, checkpoint, evaluateEvery: 1)));
        }
        finally
        {
            TrainingLoop.GradientHook = null;
        }
        Assert.Contains("diverged at iteration 10: the gradient norm is NaN", e.Message);
        Assert.Contains($"'{checkpoint}' is intact", e.Message);

        // The checkpoint is the state after iteration 9: asked for 9 iterations, the resumed run has nothing left to do.
        var reports = new List<TrainingProgress>();
        var resumedOptions = Run(task, 9, checkpoint);
        resumedOptions.Progress = new RecordedProgress(reports);
        var fromCheckpoint = Train(task, resumedOptions);
        Assert.Empty(reports);
        Assert.All(fromCheckpoint, w => Assert.True(float.IsFinite(w)));
        Assert.Equal(Train(task, Run(task, 9)), fromCheckpoint);
    }

    [Theory]
    [MemberData(nameof(Tasks))]
    public void NoSeedMeansSeedOne(string task)
    {
        var unseeded = Run(task, 3);
        unseeded.Seed = null;
        var one = Run(task, 3);
        one.Seed = 1;
        var two = Run(task, 3);
        two.Seed = 2;
        Assert.Equal(Train(task, one), Train(task, unseeded));
        Assert.NotEqual(Train(task, one), Train(task, two));
    }

    public static TheoryData<string, Action<RecurrentTrainerOptions>, string> BadSharedOptions()
    {
        var data = new TheoryData<string, Action<RecurrentTrainerOptions>, string>();
        foreach (string task in new[] { "language model", "classifier", "captioner" })
        {
            data.Add(task, o => o.NumberOfThreads = 0, "NumberOfThreads");
            data.Add(task, o => o.Patience = 0, "Patience");
            data.Add(task, o => o.EvaluateEvery = 0, "EvaluateEvery");
            data.Add(task, o => o.MaxEpochs = -1, "MaxEpochs");
            data.Add(task, o => (o.MaxEpochs, o.MaxIterations) = (null, null), "MaxIterations");
            data.Add(task, o => o.TimeBudget = TimeSpan.Zero, "TimeBudget");
            data.Add(task, o => o.ValidationFraction = 1, "ValidationFraction");
            data.Add(task, o => o.GradientClip = float.NaN, "GradientClip");
            data.Add(task, o => o.MaxGradientNorm = -1, "MaxGradientNorm");
            data.Add(task, o => o.Dropout = 1, "Dropout");
            data.Add(task, o => o.LearningRate = 0, "LearningRate");
            data.Add(task, o => o.BatchSize = 0, "BatchSize");
            data.Add(task, o => o.CheckpointPath = " ", "CheckpointPath");
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(BadSharedOptions))]
    public void EveryTaskRejectsABadSharedOptionByName(string task, Action<RecurrentTrainerOptions> spoil, string name)
    {
        var o = Run(task, 3);
        spoil(o);
        Assert.Equal(name, Assert.Throws<ArgumentOutOfRangeException>(() => Train(task, o)).ParamName);
    }

    /// <summary>
    /// The language model splits its batch over threads, so its result depends on the thread count: the option must
    /// give the same model as the kernels' own thread limit, and a different count a different model (the shards'
    /// gradients are summed in another grouping).
    /// </summary>
    [Fact]
    public void NumberOfThreadsMakesTheLanguageModelReproducible()
    {
        var o = (CharLanguageModelOptions)Run("language model", 6);
        o.NumberOfThreads = 3;
        var three = Train("language model", o);
        Assert.Equal(three, Train("language model", o));
        o.NumberOfThreads = null;
        using (KernelSettings.Override(maxThreads: 3)) Assert.Equal(three, Train("language model", o));
        o.NumberOfThreads = 1;
        Assert.NotEqual(three, Train("language model", o));
    }
}
