using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Recurrent;
using Microsoft.ML.Recurrent.Plotting;

namespace Sentiment;

/// <summary>Builds the pipeline (words → keys → recurrent classifier), trains with progress on the console, evaluates on a held-out part, and saves the zip.</summary>
internal static class ModelBuilder
{
    /// <param name="dataPath">rt-polarity.pos/.neg or a label-TAB-text file.</param>
    /// <param name="modelPath">Where the ML.NET zip goes.</param>
    /// <param name="seed">The MLContext's seed (split and training).</param>
    /// <param name="checkpointPath">Training state written at every evaluation and on Ctrl+C, resumed from when it exists; null = none.</param>
    /// <param name="plotPath">PNG (or .svg) of the training and validation loss drawn when training ends; null = none.</param>
    public static void TrainEvaluateSave(string dataPath, string modelPath, int seed, string? checkpointPath, string? plotPath)
    {
        var ml = new MLContext(seed: seed);
        var rows = SentimentData.Read(dataPath);
        Console.WriteLine($"Read {rows.Count:N0} sentences ({rows.Count(r => r.Label):N0} positive) from {dataPath}.");
        var split = ml.Data.TrainTestSplit(ml.Data.LoadFromEnumerable(rows), testFraction: 0.1, seed: seed);

        using var console = new ConsoleTrainingProgress(unit: "sentences/s") { CheckpointPath = checkpointPath };
        var recorder = new TrainingProgressRecorder(next: console); // keeps every report for the plot, shows it
        Console.WriteLine(ConsoleStopRequest.Explanation(checkpointPath));
        var clock = Stopwatch.StartNew();
        var (model, stopped) = ConsoleStopRequest.Run(console, stop => BuildPipeline(ml, recorder, checkpointPath, stop).Fit(split.TrainSet));
        Console.WriteLine($"{(stopped ? "Stopped by Ctrl+C" : "Trained")} in {clock.Elapsed.TotalSeconds:F1} s.");

        var metrics = ml.BinaryClassification.Evaluate(model.Transform(split.TestSet), nameof(SentimentInput.Label));
        Console.WriteLine($"Held-out 10%: accuracy {metrics.Accuracy:P2}, AUC {metrics.AreaUnderRocCurve:F4}, F1 {metrics.F1Score:F4}.");

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(modelPath))!);
        ml.Model.Save(model, split.TrainSet.Schema, modelPath);
        Console.WriteLine($"Saved {modelPath}.");
        if (plotPath is not null && recorder.Count > 0)
        {
            string title = "Recurrent sentiment classifier on " + Path.GetFileNameWithoutExtension(dataPath);
            TrainingCurves.Save(recorder.Reports, plotPath, title: title);
            Console.WriteLine($"Saved the loss curves to {plotPath}.");
        }
    }

    /// <summary>The pipeline with the simple overload's settings (GRU, 100 units, 4 epochs), plus what the command line adds.</summary>
    private static IEstimator<ITransformer> BuildPipeline(MLContext ml, IProgress<TrainingProgress> progress, string? checkpointPath, CancellationToken stop)
        => ml.Transforms.Text.NormalizeText("Normalized", nameof(SentimentInput.Text), keepPunctuations: false)
            .Append(ml.Transforms.Text.TokenizeIntoWords("Words", "Normalized"))
            .Append(ml.Transforms.Conversion.MapValueToKey("Tokens", "Words"))
            .Append(ml.BinaryClassification.Trainers.Recurrent(new RecurrentClassifierOptions
            {
                LabelColumnName = nameof(SentimentInput.Label),
                FeatureColumnName = "Tokens",
                Cell = RecurrentCell.Gru,
                HiddenSize = 100,
                MaxEpochs = 4,
                Progress = progress,
                CheckpointPath = checkpointPath,
                StopToken = stop,
            }));
}
