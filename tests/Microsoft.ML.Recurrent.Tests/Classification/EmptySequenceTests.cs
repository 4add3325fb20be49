using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Classification;

/// <summary>The documented meaning of an empty sequence: one zero step (float input), one unknown token (key input).</summary>
public sealed class EmptySequenceTests
{
    public sealed class Reading
    {
        public bool Label { get; set; }
        public float[] Features { get; set; } = [];
    }

    public sealed class Sentence
    {
        public bool Label { get; set; }
        public string Text { get; set; } = "";
    }

    public sealed class Scored
    {
        public float Score { get; set; }
        public float Probability { get; set; }
    }

    private static RecurrentClassifierOptions Small(string features) => new()
    {
        FeatureColumnName = features,
        EmbeddingSize = 8,
        HiddenSize = 8,
        MaxEpochs = 3,
        ValidationFraction = 0,
        BatchSize = 16,
        Seed = 3,
    };

    [Fact]
    public void An_empty_float_sequence_scores_as_one_zero_step()
    {
        var ml = new MLContext(seed: 1);
        var random = new Random(4);
        var rows = Enumerable.Range(0, 200).Select(_ =>
        {
            var values = Enumerable.Range(0, 3 * random.Next(1, 5)).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            return new Reading { Features = values, Label = values.Sum() > 0 };
        }).ToArray();
        var options = Small("Features");
        options.StepWidth = 3;
        var model = ml.BinaryClassification.Trainers.Recurrent(options).Fit(ml.Data.LoadFromEnumerable(rows));
        var engine = ml.Model.CreatePredictionEngine<Reading, Scored>(model);

        var empty = engine.Predict(new Reading { Features = [] });
        var zero = engine.Predict(new Reading { Features = [0, 0, 0] });
        var other = engine.Predict(new Reading { Features = [1, 1, 1] });
        Assert.Equal(zero.Score, empty.Score);
        Assert.Equal(zero.Probability, empty.Probability);
        Assert.NotEqual(zero.Score, other.Score); // the scores do depend on the steps
    }

    [Fact]
    public void An_empty_token_sequence_scores_as_one_unknown_token()
    {
        var ml = new MLContext(seed: 1);
        var random = new Random(5);
        string[] words = ["good", "bad", "film", "plot", "very", "quite"];
        var rows = Enumerable.Range(0, 200).Select(_ =>
        {
            var chosen = Enumerable.Range(0, random.Next(1, 6)).Select(_ => words[random.Next(words.Length)]).ToArray();
            return new Sentence { Text = string.Join(' ', chosen), Label = chosen.Count(w => w == "good") >= chosen.Count(w => w == "bad") };
        }).ToArray();
        var options = Small("Tokens");
        options.NgramLength = 0; // the network alone: the n-gram evidence of an empty sequence is zero anyway
        var pipeline = ml.Transforms.Text.TokenizeIntoWords("Words", "Text")
            .Append(ml.Transforms.Conversion.MapValueToKey("Tokens", "Words"))
            .Append(ml.BinaryClassification.Trainers.Recurrent(options));
        var model = pipeline.Fit(ml.Data.LoadFromEnumerable(rows));
        var engine = ml.Model.CreatePredictionEngine<Sentence, Scored>(model);

        var empty = engine.Predict(new Sentence { Text = "" });
        var unknown = engine.Predict(new Sentence { Text = "zebra" });
        var known = engine.Predict(new Sentence { Text = "good" });
        Assert.Equal(unknown.Score, empty.Score);
        Assert.NotEqual(unknown.Score, known.Score);
    }
}
