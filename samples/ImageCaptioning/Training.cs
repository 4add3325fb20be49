using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent;
using Microsoft.ML.Recurrent.Plotting;

namespace ImageCaptioning;

/// <summary>What training gave: the fitted pipeline, every progress report (for the loss curve) and whether Ctrl+C ended it.</summary>
public sealed record TrainingResult(TransformerChain<CaptionerTransformer> Model, IReadOnlyList<TrainingProgress> Reports, bool Stopped);

/// <summary>
/// Fits the captioning pipeline with a live progress line, Ctrl+C that stops training and keeps the model so far, and an
/// optional checkpoint (written at every evaluation and on Ctrl+C; training resumes from it when it exists).
/// </summary>
public static class Training
{
    public static TrainingResult Fit(MLContext ml, CaptionerOptions options, string? resNetModels, IReadOnlyList<CaptionedImage> train, string? checkpointPath)
    {
        using var console = new ConsoleTrainingProgress(unit: "words/s") { CheckpointPath = checkpointPath };
        var recorder = new TrainingProgressRecorder(next: console); // keeps every report for the loss curve, shows it
        options.Progress = recorder;
        options.CheckpointPath = checkpointPath;
        Console.WriteLine(ConsoleStopRequest.Explanation(checkpointPath));
        var (model, stopped) = ConsoleStopRequest.Run(console, stop =>
        {
            options.StopToken = stop;
            return CaptioningPipeline.Create(ml, options, resNetModels).Fit(CaptioningPipeline.Load(ml, train));
        });
        return new TrainingResult(model, recorder.Reports, stopped);
    }
}
