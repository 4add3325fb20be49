using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Tests.Onnx;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.MLNet;

/// <summary>
/// The recurrent classifiers through ML.NET: real sentiment data beats chance on a held-out part, ML.NET's own
/// evaluators and cross-validation read the outputs, and the saved zip scores the same in a new context and in a
/// fresh process.
/// </summary>
public sealed class RecurrentClassifierTests
{
    public sealed class Sentence
    {
        public bool Label { get; set; }
        public string Text { get; set; } = "";
    }

    public sealed class Prediction
    {
        public float Score { get; set; }
        public float Probability { get; set; }
        public bool PredictedLabel { get; set; }
    }

    private static readonly string[] s_probes = ["a gorgeous , witty , seductive movie .", "dull and lifeless", "", "zzqx qqzx"];

    private static IEstimator<ITransformer> SentimentPipeline(MLContext ml, int maxEpochs)
        => ml.Transforms.Text.TokenizeIntoWords("Words", nameof(Sentence.Text))
            .Append(ml.Transforms.Conversion.MapValueToKey("Tokens", "Words"))
            .Append(ml.BinaryClassification.Trainers.Recurrent(new RecurrentClassifierOptions
            {
                LabelColumnName = nameof(Sentence.Label),
                FeatureColumnName = "Tokens",
                EmbeddingSize = 32,
                HiddenSize = 32,
                MaxEpochs = maxEpochs,
                Seed = 3,
            }));

    // Trained once for the class: 5,000 sentences, evaluated on the next 600.
    private static readonly Lazy<(MLContext Ml, ITransformer Model, IDataView Test, DataViewSchema Schema)> s_sentiment = new(() =>
    {
        var ml = new MLContext(seed: 1);
        var rows = TestData.Polarity(2800).Select(r => new Sentence { Label = r.Positive, Text = r.Text }).ToArray();
        var train = ml.Data.LoadFromEnumerable(rows[..5000]);
        var test = ml.Data.LoadFromEnumerable(rows[5000..]);
        return (ml, SentimentPipeline(ml, maxEpochs: 4).Fit(train), test, train.Schema);
    });

    [Fact]
    public void Sentiment_beats_chance_on_held_out_sentences_through_MLNets_evaluator()
    {
        var (ml, model, test, _) = s_sentiment.Value;
        var metrics = ml.BinaryClassification.Evaluate(model.Transform(test), nameof(Sentence.Label));
        Assert.True(metrics.Accuracy > 0.6, $"accuracy {metrics.Accuracy:P1}");
        Assert.True(metrics.AreaUnderRocCurve > 0.65, $"AUC {metrics.AreaUnderRocCurve:F3}");
    }

    [Fact]
    public void Empty_and_unknown_only_sentences_are_scored_as_one_unknown_token()
    {
        var (ml, model, _, _) = s_sentiment.Value;
        var engine = ml.Model.CreatePredictionEngine<Sentence, Prediction>(model);
        var empty = engine.Predict(new Sentence { Text = "" });
        var unknown = engine.Predict(new Sentence { Text = "zzqx qqzx" });
        Assert.True(float.IsFinite(empty.Score));
        Assert.Equal(empty.Probability, 1 / (1 + MathF.Exp(-empty.Score)), 5);
        Assert.Equal(empty.PredictedLabel, empty.Score > 0);
        Assert.True(float.IsFinite(unknown.Score));
    }

    [Fact]
    public void Save_then_Load_gives_the_same_scores_in_a_new_context_and_in_a_fresh_process()
    {
        var (ml, model, _, schema) = s_sentiment.Value;
        var engine = ml.Model.CreatePredictionEngine<Sentence, Prediction>(model);
        float[] before = [.. s_probes.Select(t => engine.Predict(new Sentence { Text = t }).Score)];

        using var dir = new TestData.TempDirectory();
        string path = dir.File("sentiment.zip");
        ml.Model.Save(model, schema, path);
        var fresh = new MLContext(seed: 9);
        var loaded = fresh.Model.Load(path, out _);
        var loadedEngine = fresh.Model.CreatePredictionEngine<Sentence, Prediction>(loaded);
        Assert.Equal(before, s_probes.Select(t => loadedEngine.Predict(new Sentence { Text = t }).Score).ToArray());

        string helper = typeof(RecurrentClassifierTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "LoadCheckDll").Value!;
        var (code, output) = OnnxTestModels.RunProcess("dotnet", [helper, "--scores", path, nameof(Sentence.Text), .. s_probes]);
        Assert.True(code == 0, output);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => float.Parse(l, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(before, lines.ToArray());
    }

    [Fact]
    public void Cross_validation_runs_unchanged_and_training_is_deterministic()
    {
        var ml = new MLContext(seed: 1);
        var rows = TestData.Polarity(150).Select(r => new Sentence { Label = r.Positive, Text = r.Text }).ToArray();
        var data = ml.Data.LoadFromEnumerable(rows);
        var folds = ml.BinaryClassification.CrossValidate(data, SentimentPipeline(ml, maxEpochs: 1), numberOfFolds: 2, nameof(Sentence.Label));
        Assert.Equal(2, folds.Count);
        Assert.All(folds, f => Assert.InRange(f.Metrics.Accuracy, 0, 1));

        float Score(ITransformer m) => ml.Model.CreatePredictionEngine<Sentence, Prediction>(m).Predict(new Sentence { Text = s_probes[0] }).Score;
        Assert.Equal(Score(SentimentPipeline(ml, 1).Fit(data)), Score(SentimentPipeline(ml, 1).Fit(data)));
    }

    [Fact]
    public void The_exported_onnx_is_the_graph_in_the_zip()
    {
        var (_, model, _, _) = s_sentiment.Value;
        var classifier = ((IEnumerable<ITransformer>)model).Last() as RecurrentClassifierTransformer;
        Assert.NotNull(classifier);
        using var onnx = new MemoryStream();
        classifier.ExportToOnnx(onnx);
        using var session = OnnxTestModels.Session(onnx.ToArray());
        Assert.Equal("rnn_sequence", session.InputMetadata.Keys.Single());
        Assert.Equal(["False", "True"], classifier.ClassNames);
    }
}
