using Microsoft.ML.Data;
using TextGenerationWeb;

namespace Microsoft.ML.Recurrent.Serving.Tests.Fixtures;

/// <summary>
/// Small models made once per test run and saved as ML.NET zips: two different character language models (A, B)
/// and two sentiment classifiers (a stand-in for any ML.NET binary classifier with a Text column), the second
/// trained on flipped labels so that the two are told apart by their answers.
/// </summary>
internal static class TinyModels
{
    private const string Corpus = "the cat sat on the mat. the dog ate the log. a cat and a dog sat on a log by the mat.\n";
    private static readonly string s_folder = Directory.CreateTempSubdirectory("mlrnn-serving-models-").FullName;
    private static readonly Lazy<(string Path, CharLanguageModel Model)> s_lmA = new(() => LanguageModel("a", seed: 1));
    private static readonly Lazy<(string Path, CharLanguageModel Model)> s_lmB = new(() => LanguageModel("b", seed: 2));
    private static readonly Lazy<string> s_sentimentA = new(() => Sentiment("sentiment-a.zip", flip: false));
    private static readonly Lazy<string> s_sentimentB = new(() => Sentiment("sentiment-b.zip", flip: true));

    public static string LanguageModelA => s_lmA.Value.Path;
    public static string LanguageModelB => s_lmB.Value.Path;
    public static CharLanguageModel ModelA => s_lmA.Value.Model;
    public static CharLanguageModel ModelB => s_lmB.Value.Model;
    public static string SentimentA => s_sentimentA.Value;
    public static string SentimentB => s_sentimentB.Value;

    private static (string, CharLanguageModel) LanguageModel(string name, int seed)
    {
        var model = CharLanguageModel.Train(string.Concat(Enumerable.Repeat(Corpus, 20)), new CharLanguageModelOptions
        {
            Cell = RecurrentCell.Gru,
            HiddenSize = 16,
            Layers = 1,
            SequenceLength = 20,
            BatchSize = 8,
            MaxIterations = 20,
            ValidationFraction = 0,
            Seed = seed,
        });
        var ml = new MLContext(seed: 0);
        var schema = ml.Data.LoadFromEnumerable(new[] { new SentimentInput() }).Schema;
        string path = Path.Combine(s_folder, $"lm-{name}.zip");
        ml.Model.Save(new CharLanguageModelTransformer(model, "Generated", "Text", maxLength: 20), schema, path);
        return (path, model);
    }

    private sealed class Labelled
    {
        public string Text { get; set; } = "";
        public bool Label { get; set; }
    }

    private static string Sentiment(string name, bool flip)
    {
        string[] good = ["great movie", "i loved it", "wonderful and fun", "a great joy", "loved the fun story"];
        string[] bad = ["terrible movie", "i hated it", "boring and awful", "an awful mess", "hated the boring story"];
        var rows = good.Select(t => new Labelled { Text = t, Label = !flip })
            .Concat(bad.Select(t => new Labelled { Text = t, Label = flip }));
        var ml = new MLContext(seed: 0);
        var data = ml.Data.LoadFromEnumerable(rows);
        var pipeline = ml.Transforms.Text.FeaturizeText("Features", "Text")
            .Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression(maximumNumberOfIterations: 50));
        string path = Path.Combine(s_folder, name);
        ml.Model.Save(pipeline.Fit(data), data.Schema, path);
        return path;
    }
}
