using Microsoft.ML.Recurrent.Tests.MLNet;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Training;

/// <summary>Options without a seed train with the MLContext's; a seed in the options wins over it.</summary>
public class ContextSeedTests
{
    private static float[] Fit(int contextSeed, int? optionsSeed)
    {
        var ml = new MLContext(seed: contextSeed);
        var data = ml.Data.LoadFromEnumerable(TinyLanguageModelFixture.CorpusLines().Select(l => new BodyRow { Body = l }));
        var training = TinyLanguageModelFixture.TinyOptions();
        training.MaxIterations = 5;
        training.Dropout = 0.3f; // the seed also picks the dropout masks
        training.Seed = optionsSeed;
        var options = new CharLanguageModelEstimator.Options { TrainingOptions = training };
        var weights = ml.Transforms.Text.TrainCharLanguageModel("Continuation", "Body", options).Fit(data).Model.Network.Parameters.Values;
        Assert.Equal(optionsSeed, training.Seed); // the context's seed goes into a copy: the caller's options stay as given
        return weights;
    }

    [Fact]
    public void TwoContextsWithTheSameSeedTrainTheSameModelAndOtherSeedsDiffer()
    {
        Assert.Equal(Fit(5, null), Fit(5, null));
        Assert.NotEqual(Fit(5, null), Fit(6, null));
    }

    [Fact]
    public void TheSeedInTheOptionsWinsOverTheContexts()
    {
        var seeded = Fit(5, 9);
        Assert.Equal(seeded, Fit(6, 9));
        Assert.NotEqual(Fit(5, null), seeded);
    }
}
