using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Recurrent;

namespace Sentiment;

/// <summary>Builds the pipeline (words → keys → recurrent classifier), trains, evaluates on a held-out part, and saves the zip.</summary>
internal static class ModelBuilder
{
    public static void TrainEvaluateSave(string dataPath, string modelPath, int seed)
    {
        var ml = new MLContext(seed: seed);
        var rows = SentimentData.Read(dataPath);
        Console.WriteLine($"Read {rows.Count:N0} sentences ({rows.Count(r => r.Label):N0} positive) from {dataPath}.");
        var split = ml.Data.TrainTestSplit(ml.Data.LoadFromEnumerable(rows), testFraction: 0.1, seed: seed);

        var pipeline = BuildPipeline(ml, seed);
        var clock = Stopwatch.StartNew();
        var model = pipeline.Fit(split.TrainSet);
        Console.WriteLine($"Trained in {clock.Elapsed.TotalSeconds:F1} s.");

        var metrics = ml.BinaryClassification.Evaluate(model.Transform(split.TestSet), nameof(SentimentInput.Label));
        Console.WriteLine($"Held-out 10%: accuracy {metrics.Accuracy:P2}, AUC {metrics.AreaUnderRocCurve:F4}, F1 {metrics.F1Score:F4}.");

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(modelPath))!);
        ml.Model.Save(model, split.TrainSet.Schema, modelPath);
        Console.WriteLine($"Saved {modelPath}.");
    }

    public static IEstimator<ITransformer> BuildPipeline(MLContext ml, int seed)
        => ml.Transforms.Text.NormalizeText("Normalized", nameof(SentimentInput.Text), keepPunctuations: false)
            .Append(ml.Transforms.Text.TokenizeIntoWords("Words", "Normalized"))
            .Append(ml.Transforms.Conversion.MapValueToKey("Tokens", "Words"))
            .Append(ml.BinaryClassification.Trainers.Recurrent(nameof(SentimentInput.Label), "Tokens", seed: seed));
}
