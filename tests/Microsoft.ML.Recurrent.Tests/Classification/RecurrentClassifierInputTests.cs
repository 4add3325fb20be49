using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Layers;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.MLNet;

/// <summary>Multiclass and float-sequence input through ML.NET, and the documented errors on bad input.</summary>
public sealed class RecurrentClassifierInputTests
{
    public sealed class Tagged
    {
        public string Label { get; set; } = "";
        public string Text { get; set; } = "";
    }

    public sealed class ClassName
    {
        public string Label { get; set; } = "";
    }

    public sealed class Reading
    {
        public bool Label { get; set; }
        public float[] Features { get; set; } = [];
    }

    internal static readonly string[] ColourNames = ["red", "green", "blue"];

    // The class is the one colour word somewhere in a sentence of filler words.
    internal static Tagged[] Colours(int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ =>
        {
            int c = random.Next(3), length = random.Next(2, 9), at = random.Next(length);
            var words = Enumerable.Range(0, length).Select(i => i == at ? ColourNames[c] : ((char)('a' + random.Next(8))).ToString());
            return new Tagged { Label = ColourNames[c], Text = string.Join(' ', words) };
        })];
    }

    private static RecurrentClassifierOptions Small(string label, string features, int epochs = 12) => new()
    {
        LabelColumnName = label,
        FeatureColumnName = features,
        EmbeddingSize = 8,
        HiddenSize = 8,
        MaxEpochs = epochs,
        ValidationFraction = 0,
        EmbeddingDropout = 0,
        Dropout = 0,
        BatchSize = 16,
        LearningRate = 0.01f,
        Seed = 2,
    };

    internal static IEstimator<ITransformer> MulticlassPipeline(MLContext ml, IDataView keys, int epochs = 12)
        => ml.Transforms.Conversion.MapValueToKey("Label", keyData: keys)
            .Append(ml.Transforms.Text.TokenizeIntoWords("Words", "Text"))
            .Append(ml.Transforms.Conversion.MapValueToKey("Tokens", "Words"))
            .Append(ml.MulticlassClassification.Trainers.Recurrent(Small("Label", "Tokens", epochs)));

    [Fact]
    public void Multiclass_learns_and_reports_through_MLNets_evaluator_with_the_labels_names()
    {
        var ml = new MLContext(seed: 1);
        var keys = ml.Data.LoadFromEnumerable(ColourNames.Select(c => new ClassName { Label = c }));
        var model = MulticlassPipeline(ml, keys).Fit(ml.Data.LoadFromEnumerable(Colours(400, 1)));
        var test = Colours(200, 2);
        var scored = model.Transform(ml.Data.LoadFromEnumerable(test));
        var metrics = ml.MulticlassClassification.Evaluate(scored);
        Assert.True(metrics.MicroAccuracy > 0.9, $"accuracy {metrics.MicroAccuracy:P1}");

        var named = ml.Transforms.Conversion.MapKeyToValue("Predicted", "PredictedLabel").Fit(scored).Transform(scored);
        var predicted = named.GetColumn<ReadOnlyMemory<char>>("Predicted").Select(p => p.ToString()).ToArray();
        Assert.True(predicted.Zip(test).Count(p => p.First == p.Second.Label) > 180);
    }

    [Fact]
    public void Float_sequences_with_a_declared_step_width_are_classified()
    {
        var ml = new MLContext(seed: 1);
        var random = new Random(5);
        Reading Make()
        {
            var values = Enumerable.Range(0, 2 * random.Next(1, 7)).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            return new Reading { Features = values, Label = values.Where((_, i) => i % 2 == 0).Sum() > 0 }; // sign of the first channel's sum
        }
        var options = Small("Label", "Features", epochs: 30);
        options.StepWidth = 2;
        options.Pooling = SequencePooling.Mean;
        var model = ml.BinaryClassification.Trainers.Recurrent(options).Fit(ml.Data.LoadFromEnumerable(Enumerable.Range(0, 400).Select(_ => Make()).ToArray()));
        var metrics = ml.BinaryClassification.Evaluate(model.Transform(ml.Data.LoadFromEnumerable(Enumerable.Range(0, 200).Select(_ => Make()).ToArray())));
        Assert.True(metrics.Accuracy > 0.85, $"accuracy {metrics.Accuracy:P1}");
    }

    public sealed class FixedReading
    {
        public bool Label { get; set; }

        [VectorType(6)]
        public float[] Features { get; set; } = [];
    }

    [Fact]
    public void A_fixed_size_float_vector_column_is_scored_and_the_saved_model_scores_it_the_same()
    {
        // A known-size column (images: 28 × 28 pixels) once failed at scoring: OnnxTransformer took the graph's symbolic
        // length as 0. Three steps of two values; the class is the sign of the first channel's sum.
        var ml = new MLContext(seed: 1);
        var random = new Random(6);
        FixedReading Make()
        {
            var values = Enumerable.Range(0, 6).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            return new FixedReading { Features = values, Label = values[0] + values[2] + values[4] > 0 };
        }
        var options = Small("Label", "Features", epochs: 20);
        options.StepWidth = 2;
        var train = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 300).Select(_ => Make()).ToArray());
        var model = ml.BinaryClassification.Trainers.Recurrent(options).Fit(train);
        var test = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 200).Select(_ => Make()).ToArray());
        var metrics = ml.BinaryClassification.Evaluate(model.Transform(test));
        Assert.True(metrics.Accuracy > 0.8, $"accuracy {metrics.Accuracy:P1}");

        using var stream = new MemoryStream();
        ml.Model.Save(model, train.Schema, stream);
        stream.Position = 0;
        var reloaded = new MLContext().Model.Load(stream, out _);
        Assert.Equal(model.Transform(test).GetColumn<float>("Score"), reloaded.Transform(test).GetColumn<float>("Score"));
    }

    [Fact]
    public void NaN_in_a_float_sequence_is_a_clear_error()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new Reading { Label = true, Features = [1, 2] }, new Reading { Label = false, Features = [float.NaN, 0] } });
        var error = Assert.Throws<InvalidOperationException>(() => ml.BinaryClassification.Trainers.Recurrent(Small("Label", "Features")).Fit(data));
        Assert.Contains("NaN", error.Message);
    }

    [Fact]
    public void A_float_sequence_that_is_not_whole_steps_is_a_clear_error()
    {
        var ml = new MLContext(seed: 1);
        var options = Small("Label", "Features");
        options.StepWidth = 2;
        var data = ml.Data.LoadFromEnumerable(new[] { new Reading { Label = true, Features = [1, 2, 3] }, new Reading { Label = false, Features = [0, 0] } });
        var error = Assert.Throws<InvalidOperationException>(() => ml.BinaryClassification.Trainers.Recurrent(options).Fit(data));
        Assert.Contains("whole number of steps", error.Message);
    }

    [Fact]
    public void A_label_outside_the_key_range_is_a_clear_error()
    {
        var ml = new MLContext(seed: 1);
        var keys = ml.Data.LoadFromEnumerable(ColourNames.Select(c => new ClassName { Label = c }));
        var rows = Colours(20, 3).Append(new Tagged { Label = "purple", Text = "a b" }).ToArray(); // not in the key data: key 0
        var error = Assert.Throws<InvalidOperationException>(() => MulticlassPipeline(ml, keys).Fit(ml.Data.LoadFromEnumerable(rows)));
        Assert.Contains("outside the label's key range", error.Message);
    }

    [Fact]
    public void A_single_class_training_set_is_a_clear_error()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new Reading { Label = true, Features = [1] }, new Reading { Label = true, Features = [2] } });
        var error = Assert.Throws<InvalidOperationException>(() => ml.BinaryClassification.Trainers.Recurrent(Small("Label", "Features")).Fit(data));
        Assert.Contains("single class", error.Message);
    }

    [Fact]
    public void A_text_column_instead_of_keys_is_a_clear_error()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new Tagged { Label = "red", Text = "a" } });
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.Recurrent(Small("Label", "Text")));
        var error = Assert.Throws<InvalidOperationException>(() => pipeline.Fit(data));
        Assert.Contains("vector of keys", error.Message);
    }
}
