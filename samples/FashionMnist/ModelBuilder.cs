using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Recurrent;
using Microsoft.ML.Recurrent.Plotting;

namespace FashionMnist;

/// <summary>
/// Builds the pipeline (class name → key → recurrent classifier over the rows of the image → class name), trains with
/// progress on the console for a time budget, evaluates on the test images with ML.NET's evaluator, and saves the zip.
/// </summary>
internal static class ModelBuilder
{
    /// <summary>The output column of the predicted class name.</summary>
    public const string PredictedClass = "PredictedClass";

    /// <param name="train">The training images (10% held out for validation, keeping the best epoch).</param>
    /// <param name="test">The images scored after training.</param>
    /// <param name="modelPath">Where the ML.NET zip goes.</param>
    /// <param name="budget">Training time budget.</param>
    /// <param name="seed">The MLContext's seed (validation split and training).</param>
    /// <param name="checkpointPath">Training state written at every evaluation and on Ctrl+C, resumed from when it exists; null = none.</param>
    /// <param name="plotPath">PNG (or .svg) of the training and validation loss drawn when training ends; null = none.</param>
    public static void TrainEvaluateSave(FashionImage[] train, FashionImage[] test, string modelPath, TimeSpan budget, int seed, string? checkpointPath, string? plotPath)
    {
        var ml = new MLContext(seed: seed);
        Console.WriteLine($"Read {train.Length:N0} training and {test.Length:N0} test images of 28×28; training for {budget.TotalMinutes:G3} min.");
        var trainData = ml.Data.LoadFromEnumerable(train);

        using var console = new ConsoleTrainingProgress(unit: "images/s") { CheckpointPath = checkpointPath };
        var recorder = new TrainingProgressRecorder(next: console); // keeps every report for the plot, shows it
        Console.WriteLine(ConsoleStopRequest.Explanation(checkpointPath));
        var clock = Stopwatch.StartNew();
        var (model, stopped) = ConsoleStopRequest.Run(console, stop => BuildPipeline(ml, budget, recorder, checkpointPath, stop).Fit(trainData));
        Console.WriteLine($"{(stopped ? "Stopped by Ctrl+C" : "Trained")} in {clock.Elapsed.TotalSeconds:F1} s.");

        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(ml.Data.LoadFromEnumerable(test)));
        Console.WriteLine($"Test images: accuracy {metrics.MicroAccuracy:P2}, macro accuracy {metrics.MacroAccuracy:P2}, log-loss {metrics.LogLoss:F4}.");
        Console.WriteLine(metrics.ConfusionMatrix.GetFormattedConfusionTable());

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(modelPath))!);
        ml.Model.Save(model, trainData.Schema, modelPath);
        Console.WriteLine($"Saved {modelPath}.");
        if (plotPath is not null && recorder.Count > 0)
        {
            TrainingCurves.Save(recorder.Reports, plotPath, title: "Recurrent classifier on Fashion-MNIST rows");
            Console.WriteLine($"Saved the loss curves to {plotPath}.");
        }
    }

    /// <summary>
    /// The labels become keys in class order (so the confusion matrix and Score follow <see cref="FashionMnistData.ClassNames"/>);
    /// the classifier is the reference setting of ../shared/bench (an LSTM of 128 over the 28 rows, its last state → the
    /// classes, Adam 1e-3, batch 128, no dropout) rather than the trainer's defaults, which are tuned for sentences.
    /// </summary>
    private static IEstimator<ITransformer> BuildPipeline(MLContext ml, TimeSpan budget, IProgress<TrainingProgress> progress, string? checkpointPath, CancellationToken stop)
        => ml.Transforms.Conversion.MapValueToKey(nameof(FashionImage.Label),
                keyData: ml.Data.LoadFromEnumerable(FashionMnistData.ClassNames.Select(name => new ClassName { Label = name })))
            .Append(ml.MulticlassClassification.Trainers.Recurrent(new RecurrentClassifierOptions
            {
                LabelColumnName = nameof(FashionImage.Label),
                FeatureColumnName = nameof(FashionImage.Pixels),
                StepWidth = 28,
                Cell = RecurrentCell.Lstm,
                HiddenSize = 128,
                Bidirectional = false,
                Pooling = SequencePooling.Last,
                EmbeddingDropout = 0,
                Dropout = 0,
                BatchSize = 128,
                LearningRate = 1e-3f,
                MaxGradientNorm = 5,
                // The budget decides when training ends; the best epoch on the held-out 10% is kept.
                TimeBudget = budget,
                MaxEpochs = null,
                Patience = null,
                Progress = progress,
                CheckpointPath = checkpointPath,
                StopToken = stop,
            }))
            .Append(ml.Transforms.Conversion.MapKeyToValue(PredictedClass, "PredictedLabel"));

    /// <summary>The key data of the label: ML.NET wants one column, named as the label.</summary>
    private sealed class ClassName
    {
        public string Label { get; set; } = "";
    }
}
