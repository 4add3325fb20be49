using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Layers;
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

    public sealed class Sentence
    {
        public bool Label { get; set; }
        public string Text { get; set; } = "";
    }

    // The classifier's scores on its training rows, as a fingerprint of the model (its weights live in ONNX).
    private static float[] Scores(int contextSeed)
    {
        var ml = new MLContext(seed: contextSeed);
        var random = new Random(1);
        var rows = Enumerable.Range(0, 120).Select(i => new Sentence
        {
            Label = i % 2 == 0,
            Text = string.Join(' ', Enumerable.Range(0, random.Next(2, 7)).Select(_ => ((char)('a' + random.Next(6))).ToString()).Append(i % 2 == 0 ? "good" : "bad")),
        }).ToArray();
        var data = ml.Data.LoadFromEnumerable(rows);
        var options = new RecurrentClassifierOptions { FeatureColumnName = "Tokens", EmbeddingSize = 4, HiddenSize = 4, MaxEpochs = 1, NgramLength = 0 };
        var model = ml.Transforms.Text.TokenizeIntoWords("Words", nameof(Sentence.Text))
            .Append(ml.Transforms.Conversion.MapValueToKey("Tokens", "Words"))
            .Append(ml.BinaryClassification.Trainers.Recurrent(options))
            .Fit(data);
        Assert.Null(options.Seed);
        return [.. model.Transform(data).GetColumn<float>("Score")];
    }

    [Fact]
    public void TheClassifierTrainsWithTheContextsSeed()
    {
        Assert.Equal(Scores(5), Scores(5));
        Assert.NotEqual(Scores(5), Scores(6));
    }

    [Fact]
    public void TheSeedInTheOptionsWinsOverTheContexts()
    {
        var seeded = Fit(5, 9);
        Assert.Equal(seeded, Fit(6, 9));
        Assert.NotEqual(Fit(5, null), seeded);
    }
}
