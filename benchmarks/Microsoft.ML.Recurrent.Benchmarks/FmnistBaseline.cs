using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;

namespace Microsoft.ML.Recurrent.Benchmarks;

/// <summary>
/// What an ML.NET user does with Fashion-MNIST without us: the 784 pixels as one flat feature vector into
/// <c>LightGbm</c> and into <c>SdcaMaximumEntropy</c>, each at its defaults (the thread count aside), trained on the same
/// 55,000 images and scored on the same 10,000. One BASELINE line each: test accuracy, training wall and CPU seconds.
/// </summary>
internal static class FmnistBaseline
{
    public static int Run(TaskArguments args, ImageRow[] train, ImageRow[] test)
    {
        var ml = new MLContext(seed: args.Seed);
        var label = ml.Transforms.Conversion.MapValueToKey("Label", nameof(ImageRow.Class));
        Measure(ml, "lightgbm", label.Append(ml.MulticlassClassification.Trainers.LightGbm(
            new Trainers.LightGbm.LightGbmMulticlassTrainer.Options { FeatureColumnName = nameof(ImageRow.Pixels), NumberOfThreads = args.Threads })), train, test, args);
        Measure(ml, "sdca_maximum_entropy", label.Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(
            new Trainers.SdcaMaximumEntropyMulticlassTrainer.Options { FeatureColumnName = nameof(ImageRow.Pixels), NumberOfThreads = args.Threads })), train, test, args);
        return 0;
    }

    private static void Measure(MLContext ml, string name, IEstimator<ITransformer> pipeline, ImageRow[] train, ImageRow[] test, TaskArguments args)
    {
        var clock = Stopwatch.StartNew();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var model = pipeline.Fit(ml.Data.LoadFromEnumerable(train));
        double seconds = clock.Elapsed.TotalSeconds;
        // CPU seconds too: on a shared machine wall time alone overstates what the training costs.
        double cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(ml.Data.LoadFromEnumerable(test)));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"BASELINE task=fmnist model={name} accuracy={metrics.MicroAccuracy:F5} n_test={test.Length} train_s={seconds:F1} train_cpu_s={cpuSeconds:F1} " +
            $"peak_rss_mb={PeakRss.Megabytes():F0} threads={args.Threads}"));
    }
}
