using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Numerics;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Tagging;

/// <summary>
/// Numeric sequences labelled step by step (a class per reading or frame): each step is 2 floats, labelled "up" when
/// its first value exceeds the previous step's, "down" otherwise, "start" for the first — so a label needs the step
/// before it. The core API and the ML.NET pair (float vector column with StepWidth) learn it, save and reload to the
/// same labels, and refuse NaN and partial steps.
/// </summary>
public class StepTaggerTests
{
    private const int Width = 2;

    internal static (List<float[]> Steps, List<IReadOnlyList<string>> Labels) Sequences(int count, int seed)
    {
        var random = new RandomSource(seed);
        var steps = new List<float[]>();
        var labels = new List<IReadOnlyList<string>>();
        for (int s = 0; s < count; s++)
        {
            int length = 1 + (int)(random.NextUInt() % 12);
            var values = Enumerable.Range(0, length * Width).Select(_ => random.NextFloat() * 2 - 1).ToArray();
            steps.Add(values);
            labels.Add([.. Enumerable.Range(0, length).Select(t => t == 0 ? "start" : values[t * Width] > values[(t - 1) * Width] ? "up" : "down")]);
        }
        return (steps, labels);
    }

    private static SequenceTaggerOptions Small() => new() { HiddenSize = 24, MaxEpochs = 12, Patience = null, LearningRate = 0.01f, Seed = 2, NumberOfThreads = 1 };

    private static readonly Lazy<SequenceTagger> Trained = new(() =>
    {
        var (steps, labels) = Sequences(500, seed: 1);
        return SequenceTagger.TrainOnSteps(steps, Width, labels, Small());
    });

    private static double Accuracy(Func<float[], string[]> tag, int seed)
    {
        var (steps, labels) = Sequences(200, seed);
        long right = 0, total = 0;
        for (int i = 0; i < steps.Count; i++)
        {
            var predicted = tag(steps[i]);
            for (int t = 0; t < predicted.Length; t++, total++) right += predicted[t] == labels[i][t] ? 1 : 0;
        }
        return (double)right / total;
    }

    [Fact]
    public void Learns_labels_that_need_the_step_before_and_saves_them()
    {
        var tagger = Trained.Value;
        Assert.True(tagger.ReadsSteps);
        Assert.Equal(Width, tagger.StepWidth);
        double accuracy = Accuracy(tagger.Tag, seed: 2);
        Assert.True(accuracy > 0.95, $"accuracy {accuracy:P2}"); // measured 96.7 %
        var stream = new MemoryStream();
        tagger.Save(stream);
        stream.Position = 0;
        var loaded = SequenceTagger.Load(stream);
        var (steps, _) = Sequences(20, seed: 3);
        foreach (var s in steps) Assert.Equal(tagger.Tag(s), loaded.Tag(s));
        Assert.Throws<InvalidOperationException>(() => tagger.Tag(["a", "b"]));
        Assert.Contains("not a multiple of the step width", Assert.Throws<ArgumentException>(() => tagger.Tag([1f, 2f, 3f])).Message);
    }

    [Fact]
    public void Bad_sequences_are_refused_with_errors_that_name_them()
    {
        var o = Small();
        Assert.Contains("NaN", Assert.Throws<ArgumentException>(() => SequenceTagger.TrainOnSteps([[1f, float.NaN], [1f, 2f]], Width, [["a"], ["b"]], o)).Message);
        Assert.Contains("2 steps but 1 labels", Assert.Throws<ArgumentException>(() =>
            SequenceTagger.TrainOnSteps([[1f, 2f, 3f, 4f], [1f, 2f]], Width, [["a"], ["b"]], o)).Message);
        Assert.Contains("single label", Assert.Throws<ArgumentException>(() => SequenceTagger.TrainOnSteps([[1f, 2f]], Width, [["a"]], o)).Message);
    }

    [Fact]
    public void The_ml_net_pair_reads_float_steps_and_a_fresh_context_loads_the_same_labels()
    {
        var (steps, labels) = Sequences(300, seed: 1);
        var ml = new MLContext(seed: 1);
        var rows = steps.Select((s, i) => new StepRow { Values = s, Tags = [.. labels[i]] }).ToList();
        var data = ml.Data.LoadFromEnumerable(rows);
        var options = new RecurrentTaggerOptions { TokenColumnName = nameof(StepRow.Values), StepWidth = Width, HiddenSize = 24, MaxEpochs = 8, LearningRate = 0.01f, Seed = 2 };
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", nameof(StepRow.Tags))
            .Append(ml.MulticlassClassification.Trainers.RecurrentTagger(options))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedTags", "PredictedLabels"));
        var model = pipeline.Fit(data);
        var core = model.OfType<RecurrentTaggerTransformer>().Single().Tagger;
        var (test, _) = Sequences(30, seed: 4);
        using var zip = new MemoryStream();
        ml.Model.Save(model, data.Schema, zip);
        zip.Position = 0;
        var fresh = new MLContext(seed: 3);
        var engine = fresh.Model.CreatePredictionEngine<StepRow, PredictedRow>(fresh.Model.Load(zip, out _));
        foreach (var s in test) Assert.Equal(core.Tag(s), engine.Predict(new StepRow { Values = s }).PredictedTags);
        double accuracy = Accuracy(core.Tag, seed: 2);
        Assert.True(accuracy > 0.94, $"accuracy {accuracy:P2}"); // measured 95.5 %

        var nan = ml.Data.LoadFromEnumerable(new[] { new StepRow { Values = [1f, float.NaN], Tags = ["up"] }, new StepRow { Values = [1f, 2f], Tags = ["down"] } });
        Assert.Contains("finite", Assert.Throws<InvalidOperationException>(() => pipeline.Fit(nan)).Message);
    }

    private sealed class StepRow
    {
        public float[] Values { get; set; } = [];
        public string[] Tags { get; set; } = [];
    }

    private sealed class PredictedRow
    {
        public string[] PredictedTags { get; set; } = [];
    }
}
