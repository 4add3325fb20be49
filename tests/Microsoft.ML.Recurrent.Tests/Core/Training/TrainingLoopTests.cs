using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Training;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Training;

/// <summary>
/// The loop's own rules on a scripted task (one parameter pulled towards a target by SGD, validation losses read
/// from a list), where every iteration, evaluation and epoch boundary can be counted exactly.
/// </summary>
public class TrainingLoopTests
{
    private sealed class Options : RecurrentTrainerOptions
    {
        public Options()
        {
            Optimizer = OptimizerKind.Sgd;
            LearningRate = 0.25f;
        }
    }

    private sealed class ScriptedTask(int batchesPerEpoch, params double[] validationLosses) : ITrainingTask
    {
        private int _evaluations;

        public ParameterStore Parameters { get; } = Store();
        public List<int> EpochsBegun { get; } = [];
        public List<float> ValuesAtEvaluations { get; } = [];
        public int? NaNAtIteration { get; init; }
        /// <summary>A BLEU-like metric (higher is better) per evaluation to select on instead of the loss, or null.</summary>
        public double[]? Bleu { get; init; }
        public string Description => "scripted";
        public ulong Fingerprint { get; init; } = 42;

        public int BeginEpoch(int epoch)
        {
            EpochsBegun.Add(epoch);
            return batchesPerEpoch;
        }

        // loss (w − 1)², gradient 2(w − 1)
        public (double LossSum, double Count) TrainBatch(int batch, int iteration)
        {
            float w = Parameters.Values[0];
            Parameters.Gradients[0] = iteration == NaNAtIteration ? float.NaN : 2 * (w - 1);
            return ((w - 1) * (w - 1), 1);
        }

        public float EndEpoch(int epochsDone, float learningRate) => learningRate;

        public ValidationResult? Validate()
        {
            ValuesAtEvaluations.Add(Parameters.Values[0]);
            if (validationLosses.Length == 0) return null;
            var selection = Bleu is { } bleu ? new SelectionMetric("BLEU", bleu[_evaluations], HigherIsBetter: true) : (SelectionMetric?)null;
            return new ValidationResult(validationLosses[_evaluations++], Selection: selection);
        }

        public string? Sample() => null;
        public void WriteState(BinaryWriter writer) => writer.Write(_evaluations);
        public void ReadState(BinaryReader reader) => _evaluations = reader.ReadInt32();

        private static ParameterStore Store()
        {
            var store = new ParameterStore();
            store.Declare("w", 1, 1);
            store.Seal();
            return store;
        }
    }

    [Fact]
    public void FractionalEpochsStopMidEpochAndEvaluateAtEveryEpochEndAndAtTheEnd()
    {
        var task = new ScriptedTask(4);
        var progress = new RecordedProgress();
        var loop = new TrainingLoop(task, new Options { MaxEpochs = 1.5 });
        loop.Run(progress, null, default);
        Assert.Equal(6, loop.Iterations);
        Assert.Equal(1.5, loop.Epochs);
        Assert.Equal([0, 1], task.EpochsBegun);
        Assert.Equal([4, 6], progress.Reports.Select(r => r.Iteration));
    }

    [Fact]
    public void EarlyStoppingWaitsPatienceEvaluationsAndKeepBestRestoresTheBestParameters()
    {
        var task = new ScriptedTask(1, 3.0, 2.0, 2.5, 2.6, 1.0);
        var loop = new TrainingLoop(task, new Options { MaxIterations = 5, EvaluateEvery = 1, Patience = 2 });
        loop.Run(null, null, default);
        Assert.Equal(4, loop.Iterations); // the 4th evaluation is the 2nd without improvement
        Assert.True(loop.StoppedEarly);
        Assert.Equal(2.0, loop.BestValidationCriterion);
        Assert.Equal(task.ValuesAtEvaluations[1], task.Parameters.Values[0]);
        Assert.NotEqual(task.ValuesAtEvaluations[3], task.Parameters.Values[0]);
    }

    [Fact]
    public void ASelectionMetricRatherThanTheLossDecidesKeepBestEarlyStoppingAndTheDecayAndIsReported()
    {
        // The loss keeps rising after the 2nd evaluation while BLEU peaks at the 3rd: the 3rd's weights are kept, the
        // rate halves after the 4th and 5th, and the 5th (the 2nd without a better BLEU) stops the run. The 2nd ties
        // the 1st's BLEU of 0 with a lower loss, which counts as better.
        var task = new ScriptedTask(1, 1.0, 0.9, 1.2, 1.3, 1.4, 1.5) { Bleu = [0.0, 0.0, 3.0, 2.5, 2.9, 9.0] };
        var reports = new RecordedProgress();
        var loop = new TrainingLoop(task, new Options { MaxIterations = 6, EvaluateEvery = 1, Patience = 2, LearningRateDecayOnPlateau = 0.5f });
        loop.Run(reports, null, default);
        Assert.Equal(5, loop.Iterations);
        Assert.True(loop.StoppedEarly);
        Assert.Equal(-3.0, loop.BestValidationCriterion);
        Assert.Equal(task.ValuesAtEvaluations[2], task.Parameters.Values[0]);
        var evaluations = reports.Reports.Where(r => r.ValidationLoss != null).ToList();
        Assert.Equal([0.0, 0.0, 3.0, 2.5, 2.9], evaluations.Select(r => r.ValidationMetric!.Value));
        Assert.All(evaluations, r => Assert.Equal("BLEU", r.ValidationMetricName));
        // SGD 0.25 from w = 0 on (w − 1)²: w = 0.5, 0.75, 0.875, 0.9375 at 0.25, then the 5th step at 0.125.
        Assert.Equal([0.5f, 0.75f, 0.875f, 0.9375f, 0.953125f], task.ValuesAtEvaluations);
    }

    [Fact]
    public void ThePlateauDecayHalvesTheLearningRateAfterEveryEvaluationWithoutImprovement()
    {
        // SGD 0.25 from w = 0 on (w − 1)²: w = 0.5, 0.75, 0.875 at 0.25; the 3rd and 4th evaluations do not improve,
        // so the 4th step is taken at 0.125 (w = 0.90625) and the 5th at 0.0625 (w = 0.91796875).
        var task = new ScriptedTask(1, 3.0, 2.0, 2.5, 2.6, 2.7);
        new TrainingLoop(task, new Options { MaxIterations = 5, EvaluateEvery = 1, KeepBest = false, LearningRateDecayOnPlateau = 0.5f }).Run(null, null, default);
        Assert.Equal([0.5f, 0.75f, 0.875f, 0.90625f, 0.91796875f], task.ValuesAtEvaluations);
    }

    [Fact]
    public void WithoutKeepBestTheLastParametersStay()
    {
        var task = new ScriptedTask(1, 3.0, 2.0, 2.5);
        new TrainingLoop(task, new Options { MaxIterations = 3, EvaluateEvery = 1, KeepBest = false }).Run(null, null, default);
        Assert.Equal(task.ValuesAtEvaluations[2], task.Parameters.Values[0]);
    }

    [Fact]
    public void ClampingAndGlobalNormClippingBoundTheUpdate()
    {
        // w = 0: the gradient is −2; clamped to −0.5 and then scaled to norm 0.1, SGD 0.25 moves w by 0.025.
        var task = new ScriptedTask(1);
        new TrainingLoop(task, new Options { MaxIterations = 1, GradientClip = 0.5f, MaxGradientNorm = 0.1f }).Run(null, null, default);
        Assert.Equal(0.025f, task.Parameters.Values[0], 6);
    }

    [Fact]
    public void ANonFiniteGradientIsNeverAppliedAndTheCheckpointStaysAtTheLastGoodState()
    {
        using var dir = new TestData.TempDirectory();
        string checkpoint = dir.File("run.ckpt");
        var task = new ScriptedTask(2) { NaNAtIteration = 3 };
        var loop = new TrainingLoop(task, new Options { MaxIterations = 10, EvaluateEvery = 1, CheckpointPath = checkpoint });
        var e = Assert.Throws<InvalidOperationException>(() => loop.Run(null, null, default));
        Assert.Contains("diverged at iteration 4", e.Message);
        Assert.Contains($"'{checkpoint}' is intact", e.Message);
        Assert.Equal(3, loop.Iterations);
        Assert.Equal(task.ValuesAtEvaluations[^1], task.Parameters.Values[0]); // the NaN update was not applied
        Assert.True(float.IsFinite(task.Parameters.Values[0]));

        var resumed = new ScriptedTask(2);
        var again = new TrainingLoop(resumed, new Options { MaxIterations = 3, EvaluateEvery = 1, CheckpointPath = checkpoint });
        again.Run(null, null, default);
        Assert.Equal(3, again.Iterations); // the checkpoint is the state after iteration 3: nothing left to do
        Assert.Equal(task.Parameters.Values[0], resumed.Parameters.Values[0]);
    }

    [Fact]
    public void AResumedRunReplaysTheEpochsBegunAndDoesOnlyTheRemainingIterations()
    {
        using var dir = new TestData.TempDirectory();
        var options = new Options { MaxIterations = 7, EvaluateEvery = 1, CheckpointPath = dir.File("run.ckpt") };
        double[] improving = [.. Enumerable.Range(0, 20).Select(i => 10.0 - i)];
        var first = new ScriptedTask(3, improving);
        new TrainingLoop(first, options).Run(null, null, default);

        options.MaxIterations = 10;
        var second = new ScriptedTask(3, improving);
        var progress = new RecordedProgress();
        var lines = new List<string>();
        var loop = new TrainingLoop(second, options);
        loop.Run(progress, lines.Add, default);
        Assert.Equal([8, 9, 10], progress.Reports.Select(r => r.Iteration));
        Assert.All(progress.Reports, r => Assert.Equal(7, r.ResumedAtIteration));
        Assert.Contains("Resumed from checkpoint", lines[0]);
        Assert.Contains("at iteration 7", lines[0]);
        Assert.Equal([0, 1, 2, 3], second.EpochsBegun); // epochs 0 and 1 replayed, 2 (at batch 1) re-begun, 3 trained
        Assert.Equal(10, loop.Iterations);

        var uninterrupted = new ScriptedTask(3, improving);
        new TrainingLoop(uninterrupted, new Options { MaxIterations = 10, EvaluateEvery = 1 }).Run(null, null, default);
        Assert.Equal(uninterrupted.Parameters.Values, second.Parameters.Values);
    }

    [Fact]
    public void ATimeBudgetStopsTraining()
    {
        var task = new ScriptedTask(1);
        var loop = new TrainingLoop(task, new Options { TimeBudget = TimeSpan.FromTicks(1), MaxIterations = 100_000 });
        loop.Run(null, null, default);
        Assert.InRange(loop.Iterations, 1, 99_999); // the first iteration that takes a tick (100 ns) ends it
    }

    [Fact]
    public void CancellationStopsBeforeTheNextBatch()
    {
        using var cancel = new CancellationTokenSource();
        var task = new ScriptedTask(1);
        var loop = new TrainingLoop(task, new Options { MaxIterations = 100, Progress = new CancelAt(cancel, 3), EvaluateEvery = 1 });
        Assert.Throws<OperationCanceledException>(() => loop.Run(null, null, cancel.Token));
        Assert.Equal(3, loop.Iterations);
    }

    [Fact]
    public void TheStopTokenEndsTrainingNormallyWithAnEvaluationTheCheckpointAndTheBestParameters()
    {
        using var dir = new TestData.TempDirectory();
        using var stop = new CancellationTokenSource();
        double[] losses = [5.0, 4.0, 1.0, 2.0, 3.0, 4.0, 5.0];
        var task = new ScriptedTask(1, losses);
        var progress = new RecordedProgress();
        var options = new Options { MaxIterations = 100, EvaluateEvery = 2, CheckpointPath = dir.File("run.ckpt"), StopToken = stop.Token, Progress = new CancelAt(stop, 7), ReportEvery = 1 };
        var loop = new TrainingLoop(task, options);
        loop.Run(progress, null, default); // returns: no OperationCanceledException
        // Signalled from iteration 7's report, training ends after the iteration then under way (8).
        Assert.Equal(8, loop.Iterations);
        Assert.Equal([2, 4, 6, 8], progress.Reports.Where(r => r.ValidationLoss != null).Select(r => r.Iteration));
        Assert.Equal(task.ValuesAtEvaluations[2], task.Parameters.Values[0]); // keep-best: the weights of the evaluation at iteration 6
        Assert.True(File.Exists(options.CheckpointPath));

        // The checkpoint holds iteration 8: the same options without a stop resume there.
        var resumed = new ScriptedTask(1, losses);
        var again = new TrainingLoop(resumed, new Options { MaxIterations = 10, EvaluateEvery = 2, CheckpointPath = options.CheckpointPath });
        var more = new RecordedProgress();
        again.Run(more, null, default);
        Assert.Equal([10], more.Reports.Select(r => r.Iteration));
    }

    [Fact]
    public void TheStopTokenEvaluatesAtAnIterationOffTheSchedule()
    {
        using var stop = new CancellationTokenSource();
        var task = new ScriptedTask(1, 3.0, 2.0);
        var progress = new RecordedProgress();
        var loop = new TrainingLoop(task, new Options { MaxIterations = 100, EvaluateEvery = 10, StopToken = stop.Token, Progress = new CancelAt(stop, 3), ReportEvery = 1 });
        loop.Run(progress, null, default);
        Assert.Equal(4, loop.Iterations);
        Assert.Equal(4, Assert.Single(progress.Reports, r => r.ValidationLoss != null).Iteration);
    }

    [Fact]
    public void ACheckpointOfOtherDataOrOptionsIsRefusedSayingWhatDiffers()
    {
        using var dir = new TestData.TempDirectory();
        string checkpoint = dir.File("run.ckpt");
        new TrainingLoop(new ScriptedTask(1), new Options { MaxIterations = 2, CheckpointPath = checkpoint }).Run(null, null, default);

        var data = Assert.Throws<InvalidOperationException>(() =>
            new TrainingLoop(new ScriptedTask(1) { Fingerprint = 43 }, new Options { MaxIterations = 2, CheckpointPath = checkpoint }).Run(null, null, default));
        Assert.Equal($"The checkpoint '{checkpoint}' belongs to another run (different training data or task options); delete the file or choose another checkpoint path.", data.Message);

        var options = Assert.Throws<InvalidOperationException>(() =>
            new TrainingLoop(new ScriptedTask(1), new Options { MaxIterations = 2, CheckpointPath = checkpoint, LearningRate = 0.5f, Seed = 7 }).Run(null, null, default));
        Assert.Contains("(LearningRate 0.25, now 0.5; Seed 1, now 7)", options.Message);
        Assert.DoesNotContain("data", options.Message);
    }

    [Fact]
    public void ACheckpointOfFormatVersion1IsRefusedWithWhatToDo()
    {
        using var dir = new TestData.TempDirectory();
        string checkpoint = dir.File("old.ckpt");
        Persistence.ModelFile.WriteAtomic(checkpoint, "MLRNNCK2", 1, w => w.Write(42UL)); // version 1 held one combined fingerprint
        var e = Assert.Throws<InvalidOperationException>(() =>
            new TrainingLoop(new ScriptedTask(1), new Options { MaxIterations = 2, CheckpointPath = checkpoint }).Run(null, null, default));
        Assert.Contains("earlier version of this library", e.Message);
        Assert.Contains("delete the file or choose another checkpoint path", e.Message);
    }

    private sealed class CancelAt(CancellationTokenSource source, int iteration) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.Iteration == iteration) source.Cancel();
        }
    }
}
