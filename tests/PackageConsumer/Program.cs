// The package check (.ci/run): a console application that knows this repository only through its NuGet packages,
// Microsoft.ML.Recurrent and Microsoft.ML.Recurrent.Serving. It trains a tiny character language model and a tiny
// sequence classifier through ML.NET, saves each with MLContext.Model.Save, loads it in a new MLContext (and in the
// Serving package's TextGenerator and PredictionEnginePool), predicts, prints what it got and exits with 1 when
// anything is wrong. Not part of the solution: .ci/run copies it into a fresh `dotnet new console` project.
using Microsoft.Extensions.DependencyInjection;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent;
using Microsoft.ML.Recurrent.Serving;

string folder = Path.Combine(Path.GetTempPath(), $"package-consumer-{Environment.ProcessId}");
Directory.CreateDirectory(folder);
var failures = new List<string>();
try
{
    LanguageModel(Path.Combine(folder, "lm.zip"), failures);
    Classifier(Path.Combine(folder, "classifier.zip"), failures);
}
finally
{
    Directory.Delete(folder, recursive: true);
}

foreach (string failure in failures)
{
    Console.Error.WriteLine($"package check failed: {failure}");
}

Console.WriteLine(failures.Count == 0 ? "package check passed" : $"package check: {failures.Count} failure(s)");
return failures.Count == 0 ? 0 : 1;

// A character language model on a few sentences made of 12 words: after training, generated text must be made of
// the corpus's characters and mostly of its words.
static void LanguageModel(string path, List<string> failures)
{
    string[] subjects = ["the cat", "a dog", "the bird", "my fox"];
    string[] verbs = ["sees", "chases", "likes", "hears"];
    string[] objects = ["the moon.", "a red ball.", "the old tree.", "its tail."];
    var lines = (from s in subjects from v in verbs from o in objects select new TextRow { Text = $"{s} {v} {o}" }).ToArray();
    var words = lines.SelectMany(l => l.Text.Split(' ')).ToHashSet();

    var ml = new MLContext(seed: 1);
    var data = ml.Data.LoadFromEnumerable(lines);
    var started = DateTime.UtcNow;
    var model = ml.Transforms.Text.TrainCharLanguageModel("Generated", "Text", new CharLanguageModelEstimator.Options
    {
        TrainingOptions = new CharLanguageModelOptions { Cell = RecurrentCell.Gru, HiddenSize = 64, Layers = 1, BatchSize = 16, SequenceLength = 32, MaxIterations = 300 },
        MaxLength = 60,
        Temperature = 0.3f,
        Seed = 7,
    }).Fit(data);
    Console.WriteLine($"language model: trained in {(DateTime.UtcNow - started).TotalSeconds:F1} s");
    ml.Model.Save(model, data.Schema, path);

    var loadContext = new MLContext();
    var loaded = loadContext.Model.Load(path, out _);
    var engine = loadContext.Model.CreatePredictionEngine<TextRow, Generation>(loaded);
    const string prompt = "the cat ";
    string generated = engine.Predict(new TextRow { Text = prompt }).Generated;
    Console.WriteLine($"language model: \"{prompt}\" -> \"{generated}\"");

    var generatedWords = generated.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
    int known = generatedWords.Count(words.Contains);
    Console.WriteLine($"language model: {known} of {generatedWords.Length} generated words are corpus words");
    if (generated.Length == 0)
    {
        failures.Add("the reloaded language model generated nothing");
    }
    else if (generated.Any(c => c != '\n' && !lines.Any(l => l.Text.Contains(c))))
    {
        failures.Add($"the reloaded language model generated characters it never saw: \"{generated}\"");
    }
    else if (known * 2 <= generatedWords.Length)
    {
        failures.Add($"fewer than half the generated words are corpus words: \"{generated}\"");
    }

    // The Serving package serves the same zip; with the estimator's seed it gives the pipeline's text.
    var services = new ServiceCollection();
    services.AddLogging();
    services.AddTextGenerator().FromFile(path, watchForChanges: false);
    using var provider = services.BuildServiceProvider();
    string served = provider.GetRequiredService<TextGenerator>().Generate(prompt, 60, 0.3f, seed: 7).Text;
    Console.WriteLine($"language model: served by TextGenerator -> \"{served}\"");
    if (served != generated)
    {
        failures.Add($"TextGenerator gave \"{served}\", the loaded pipeline \"{generated}\"");
    }
}

// A binary classifier on sentences labelled by a rule (does it contain a positive word?): trained on 48 sentences,
// it must classify 16 sentences it never saw better than chance.
static void Classifier(string path, List<string> failures)
{
    string[] positive = ["good", "great", "fine", "nice"];
    string[] negative = ["bad", "awful", "poor", "dull"];
    string[] things = ["film", "meal", "song", "book", "game", "show", "trip", "play"];
    var rows = new List<Review>();
    for (int i = 0; i < 64; i++)
    {
        bool label = i % 2 == 0;
        string word = (label ? positive : negative)[i / 2 % 4];
        rows.Add(new Review { Label = label, Text = $"the {things[i / 8]} was {word} today" });
    }

    var train = rows.Where((_, i) => i % 4 != 3).ToArray();
    var test = rows.Where((_, i) => i % 4 == 3).ToArray();

    var ml = new MLContext(seed: 1);
    var trainData = ml.Data.LoadFromEnumerable(train);
    var pipeline = ml.Transforms.Text.TokenizeIntoWords("Words", "Text")
        .Append(ml.Transforms.Conversion.MapValueToKey("Tokens", "Words"))
        .Append(ml.BinaryClassification.Trainers.Recurrent("Label", "Tokens", RecurrentCell.Gru, hiddenSize: 16, maxEpochs: 20, seed: 3));
    var model = pipeline.Fit(trainData);
    ml.Model.Save(model, trainData.Schema, path);

    var loadContext = new MLContext();
    var loaded = loadContext.Model.Load(path, out _);
    var engine = loadContext.Model.CreatePredictionEngine<Review, ReviewPrediction>(loaded);
    int correct = test.Count(r => engine.Predict(r).PredictedLabel == r.Label);
    double accuracy = (double)correct / test.Length;
    var probe = new Review { Text = "the film was great today" };
    var prediction = engine.Predict(probe);
    Console.WriteLine($"classifier: \"{probe.Text}\" -> {prediction.PredictedLabel} (probability {prediction.Probability:F3})");
    Console.WriteLine($"classifier: {correct} of {test.Length} held-out sentences right ({accuracy:P0})");
    if (accuracy <= 0.75)
    {
        failures.Add($"the reloaded classifier got {accuracy:P0} of held-out sentences right; the rule is trivial, chance is 50%");
    }

    var services = new ServiceCollection();
    services.AddLogging();
    services.AddPredictionEnginePool<Review, ReviewPrediction>().FromFile("reviews", path, watchForChanges: false);
    using var provider = services.BuildServiceProvider();
    var pooled = provider.GetRequiredService<PredictionEnginePool<Review, ReviewPrediction>>().Predict("reviews", probe);
    Console.WriteLine($"classifier: served by PredictionEnginePool -> {pooled.PredictedLabel} (probability {pooled.Probability:F3})");
    if (pooled.Probability != prediction.Probability)
    {
        failures.Add($"PredictionEnginePool gave probability {pooled.Probability}, the loaded pipeline {prediction.Probability}");
    }
}

internal sealed class TextRow
{
    public string Text { get; set; } = "";
}

internal sealed class Generation
{
    public string Generated { get; set; } = "";
}

internal sealed class Review
{
    public bool Label { get; set; }
    public string Text { get; set; } = "";
}

internal sealed class ReviewPrediction
{
    public bool PredictedLabel { get; set; }
    public float Probability { get; set; }
    public float Score { get; set; }
}
