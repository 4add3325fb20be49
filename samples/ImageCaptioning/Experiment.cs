using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent;
using Microsoft.ML.Recurrent.Plotting;

namespace ImageCaptioning;

/// <summary>One captioner trained on one kind of features, and its scores on every split, greedy and with a beam.</summary>
public sealed record ExperimentResult(string Name, TransformerChain<CaptionerTransformer> Model, IReadOnlyList<TrainingProgress> Reports,
    bool Stopped, TimeSpan FitTime, IReadOnlyList<SplitResult> Results)
{
    public ImageCaptioner Captioner => Model.LastTransformer.Captioner;
}

/// <summary>The images a run trains on and scores: the test and held-out splits, the first training images, the scenes they show.</summary>
public sealed record CaptionSplits(IReadOnlyList<CaptionedImage> Train, IReadOnlyList<CaptionedImage> Test, IReadOnlyList<CaptionedImage> HeldOut,
    Dictionary<string, List<(string Colour, string Shape)>> Scenes);

/// <summary>Featurizes and trains the pipeline for one kind of features, then scores it.</summary>
public static class Experiment
{
    /// <param name="ml">The context.</param>
    /// <param name="name">What the results are called in the tables.</param>
    /// <param name="options">The captioner's settings, conditioned for the features.</param>
    /// <param name="resNetModels">The ResNet18 model folder, or null for ResNet18's own.</param>
    /// <param name="splits">The data.</param>
    /// <param name="beam">The beam width scored beside greedy decoding (1: greedy only).</param>
    /// <param name="checkpointPath">The training checkpoint, or null.</param>
    public static ExperimentResult Run(MLContext ml, string name, CaptionerOptions options, string? resNetModels, CaptionSplits splits, int beam, string? checkpointPath)
    {
        Console.WriteLine($"{name}: featurizing {splits.Train.Count:N0} training images with ResNet18 and training the captioner ...");
        var clock = Stopwatch.StartNew();
        var (model, reports, stopped) = Training.Fit(ml, options, resNetModels, splits.Train, checkpointPath);
        var fitTime = clock.Elapsed;
        Console.WriteLine($"Featurization + training{(stopped ? " (stopped by Ctrl+C)" : "")}: {fitTime.TotalSeconds:F1} s on {Environment.ProcessorCount} cores ({name}).");
        var results = new List<SplitResult>();
        results.AddRange(Evaluation.Run(ml, model, "in-distribution", splits.Test, splits.Scenes, beam));
        if (splits.HeldOut.Count > 0) results.AddRange(Evaluation.Run(ml, model, "held-out pairs", splits.HeldOut, splits.Scenes, beam));
        // The first training images show how much of the test gap is generalisation rather than fitting.
        results.AddRange(Evaluation.Run(ml, model, "training images", [.. splits.Train.Take(300)], splits.Scenes, beam: 1));
        return new ExperimentResult(name, model, reports, stopped, fitTime, results);
    }
}
