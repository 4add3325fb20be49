using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Recurrent;
using Microsoft.ML.Recurrent.Plotting;

namespace PosTagging;

/// <summary>Trains the tagger in an ML.NET pipeline, evaluates it on the test sentences and saves the pipeline as a zip.</summary>
public static class ModelBuilder
{
    /// <param name="dataPath">The Brown corpus folder or a CoNLL-style file.</param>
    /// <param name="modelPath">Where the ML.NET zip goes.</param>
    /// <param name="budget">Training time (over every session of a resumed run).</param>
    /// <param name="crf">Whether label sequences are scored by a linear-chain CRF.</param>
    /// <param name="seed">The MLContext's seed.</param>
    /// <param name="checkpointPath">Training state written at every evaluation and on Ctrl+C, resumed from when it exists; null = none.</param>
    /// <param name="plotPath">PNG (or .svg) of the training and validation loss drawn when training ends; null = none.</param>
    public static void TrainEvaluateSave(string dataPath, string modelPath, TimeSpan budget, bool crf, int seed, string? checkpointPath, string? plotPath)
    {
        var (train, validation, test) = TaggingData.Load(dataPath);
        Console.WriteLine($"{train.Count:N0} training, {validation.Count:N0} validation and {test.Count:N0} test sentences " +
                          $"({train.Sum(s => s.Tokens.Count):N0} training tokens, {train.SelectMany(s => s.Labels).Distinct().Count()} labels).");
        var ml = new MLContext(seed);
        using var console = new ConsoleTrainingProgress(unit: "tokens/s") { CheckpointPath = checkpointPath };
        var recorder = new TrainingProgressRecorder(next: console); // keeps every report for the plot, shows it
        var options = new RecurrentTaggerOptions
        {
            LabelColumnName = "Label",
            TokenColumnName = nameof(SentenceRow.Tokens),
            TimeBudget = budget,
            UseCrf = crf,
            // On the training thread, in order (Progress<T> would post each report to the thread pool).
            Progress = recorder,
            CheckpointPath = checkpointPath,
        };
        // The tagger holds out a random 10 % of what it is given for keep-best and early stopping: give it the validation sentences too.
        var rows = train.Concat(validation).Select(SentenceRow.From).ToList();
        var data = ml.Data.LoadFromEnumerable(rows);
        Console.WriteLine(ConsoleStopRequest.Explanation(checkpointPath));
        var clock = Stopwatch.StartNew();
        var (model, stopped) = ConsoleStopRequest.Run(console, stop =>
        {
            options.StopToken = stop;
            return ml.Transforms.Conversion.MapValueToKey("Label", nameof(SentenceRow.Labels))
                .Append(ml.MulticlassClassification.Trainers.RecurrentTagger(options))
                .Append(ml.Transforms.Conversion.MapKeyToValue(nameof(TaggedRow.PredictedTags), "PredictedLabels"))
                .Fit(data);
        });
        Console.WriteLine($"{(stopped ? "Stopped by Ctrl+C" : "Trained")} in {clock.Elapsed.TotalSeconds:F1} s.");

        var predicted = ml.Data.CreateEnumerable<TaggedRow>(model.Transform(ml.Data.LoadFromEnumerable(test.Select(SentenceRow.From))), reuseRowObject: false)
            .Select(r => (IReadOnlyList<string>)r.PredictedTags).ToList();
        var metrics = TaggingMetrics.Compute(test, predicted, train);
        Console.WriteLine();
        Console.WriteLine($"Test: token accuracy {metrics.TokenAccuracy:P2} on {metrics.TokenCount:N0} tokens; " +
                          $"words never seen in training {metrics.UnseenTokenAccuracy:P2} on {metrics.UnseenTokenCount:N0}; whole sentences {metrics.SentenceAccuracy:P2}.");
        Console.WriteLine();
        Console.WriteLine($"{"tag",-10} {"precision",9} {"recall",7} {"F1",7} {"support",8}");
        foreach (var l in metrics.PerLabel.Take(15))
            Console.WriteLine($"{l.Label,-10} {l.Precision,9:P1} {l.Recall,7:P1} {l.F1,7:P1} {l.Support,8:N0}");
        Console.WriteLine($"({metrics.PerLabel.Count - 15} rarer tags not shown; macro F1 {metrics.MacroF1:P1})");
        if (metrics.Entities is { } entities) Console.WriteLine($"Entities (CoNLL): precision {entities.Precision:P2}, recall {entities.Recall:P2}, F1 {entities.F1:P2}");
        Console.WriteLine();
        Console.WriteLine("Most confused tags:");
        Console.WriteLine(metrics.ConfusionTable(8));

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(modelPath))!);
        ml.Model.Save(model, data.Schema, modelPath);
        Console.WriteLine($"Saved the pipeline to {modelPath}.");
        if (plotPath is not null && recorder.Count > 0)
        {
            TrainingCurves.Save(recorder.Reports, plotPath, title: $"Recurrent tagger{(crf ? " with a CRF" : "")} on {Path.GetFileName(Path.TrimEndingDirectorySeparator(dataPath))}");
            Console.WriteLine($"Saved the loss curves to {plotPath}.");
        }
    }
}
