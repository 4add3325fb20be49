using Xunit;

namespace Microsoft.ML.Recurrent.Tests.LanguageModel;

/// <summary>
/// The README's claims about the language model's data-parallel shards: one shard and two follow the same loss
/// trajectory (only the grouping of the gradient sum differs), a checkpoint resumes on another thread count, and a
/// training iteration allocates nothing.
/// </summary>
public sealed class ShardingTests
{
    private static CharLanguageModelOptions Options(int threads, int iterations) => new()
    {
        Cell = RecurrentCell.Lstm,
        HiddenSize = 32,
        Layers = 2,
        BatchSize = 16,
        SequenceLength = 32,
        MaxIterations = iterations,
        ValidationFraction = 0.1,
        EvaluateEvery = 10,
        ReportEvery = 1,
        KeepBest = false,
        NumberOfThreads = threads,
        Seed = 4,
    };

    private static (float[] Weights, List<TrainingProgress> Reports) Train(CharLanguageModelOptions options)
    {
        var reports = new List<TrainingProgress>();
        options.Progress = new RecordedProgress(reports);
        var model = CharLanguageModel.Train(TestData.TinyShakespeare(40_000), options);
        return (model.Network.Parameters.Values, reports);
    }

    [Fact]
    public void One_shard_and_two_follow_the_same_loss_trajectory()
    {
        var (oneWeights, one) = Train(Options(threads: 1, iterations: 30));
        var (twoWeights, two) = Train(Options(threads: 2, iterations: 30));
        Assert.Equal(one.Select(r => r.Iteration), two.Select(r => r.Iteration));
        // Measured: the 30 smoothed losses agree to 1.8e-10 relative, the weights to 7e-8: float rounding, not another run.
        for (int i = 0; i < one.Count; i++) Assert.Equal(one[i].TrainLoss, two[i].TrainLoss, 1e-8 * one[i].TrainLoss);
        Assert.True(MaxDifference(oneWeights, twoWeights) < 1e-6, $"weights differ by {MaxDifference(oneWeights, twoWeights)}");
        Assert.NotEqual(oneWeights, twoWeights); // two shards really ran: their sums group differently
    }

    [Fact]
    public void A_checkpoint_written_on_two_threads_resumes_on_one()
    {
        using var dir = new TestData.TempDirectory();
        string checkpoint = dir.File("lm.ckpt");
        var (uninterrupted, _) = Train(Options(threads: 2, iterations: 40));
        var first = Options(threads: 2, iterations: 20);
        first.CheckpointPath = checkpoint;
        Train(first);

        var second = Options(threads: 1, iterations: 40);
        second.CheckpointPath = checkpoint;
        var (resumed, reports) = Train(second);
        Assert.Equal(21, reports.First().Iteration); // it went on from the checkpoint
        Assert.Equal(40, reports.Last().Iteration);
        // Measured: within 3e-8 of the uninterrupted two-thread run (the last 20 iterations summed in one group).
        Assert.True(MaxDifference(uninterrupted, resumed) < 1e-6, $"weights differ by {MaxDifference(uninterrupted, resumed)}");
    }

    [Fact]
    public void A_training_iteration_allocates_nothing()
    {
        // One thread, so everything runs (and allocates) on this thread; no reports or evaluations inside the runs.
        // Counted between iterations 20 and 80 of one run (through the loop's gradient hook), so what set-up
        // allocates cannot differ between two runs (after a GC, pooled buffers are allocated anew).
        long Allocated(int from, int to)
        {
            var o = Options(threads: 1, to + 1);
            (o.ReportEvery, o.EvaluateEvery, o.ValidationFraction) = (1_000, 1_000, 0);
            string text = TestData.TinyShakespeare(40_000);
            long atFrom = 0, atTo = 0;
            Microsoft.ML.Recurrent.Training.TrainingLoop.GradientHook = (iteration, _) =>
            {
                if (iteration == from) atFrom = GC.GetAllocatedBytesForCurrentThread();
                if (iteration == to) atTo = GC.GetAllocatedBytesForCurrentThread();
            };
            try
            {
                CharLanguageModel.Train(text, o);
            }
            finally
            {
                Microsoft.ML.Recurrent.Training.TrainingLoop.GradientHook = null;
            }
            return atTo - atFrom;
        }
        Allocated(1, 4); // warm-up: first calls compile and fill caches
        double perIteration = Allocated(20, 80) / 60.0;
        // Measured: 0 bytes per iteration (what a run allocates is set-up: network, workspaces, optimizer state).
        Assert.True(perIteration < 8, $"{perIteration:F0} bytes allocated per training iteration");
    }

    private static double MaxDifference(float[] a, float[] b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Max();

}
