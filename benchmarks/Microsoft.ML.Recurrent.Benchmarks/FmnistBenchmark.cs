using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Numerics;

namespace Microsoft.ML.Recurrent.Benchmarks;

/// <summary>
/// <c>--task fmnist</c>: Fashion-MNIST read row by row (28 steps of 28 pixels ÷ 255), split as the reference
/// tasks_torch.py splits it (training images 0–54,999 train, the 10,000 test images score). Trains the public multiclass
/// trainer (<c>MulticlassClassification.Trainers.Recurrent</c> on a float-vector column, through IDataView) for
/// <c>--budget</c> seconds of wall time and prints the reference's RESULT line. With <c>--baseline</c> it trains ML.NET's
/// routes without us on the flat 784 pixels instead (<see cref="FmnistBaseline"/>) and prints BASELINE lines: a separate
/// process, so that neither run's peak memory reaches the other's figures, and the compared run is not slowed.
/// </summary>
/// <remarks>
/// The estimator validates on a seeded random part of its input, not on a given set, so it gets images 0–54,999 and holds
/// out 5,000 of them: it trains on 50,000 images where the reference trains on 55,000 (and validates on 55,000–59,999,
/// which we never read), and keeps the epoch with the best validation loss where the reference keeps the best accuracy.
/// Both handicap us, not the reference.
/// </remarks>
internal static class FmnistBenchmark
{
    private const int TrainImages = 55_000;
    private const int ValidationImages = 5_000;

    public static int Run(TaskArguments args)
    {
        var (train, test) = Load(args.Data);
        Console.WriteLine($"fashion-mnist: train {train.Length} images (validating on {ValidationImages} of them), test {test.Length}");
        if (args.Baseline) return FmnistBaseline.Run(args, train, test);
        KernelSettings.MaxThreads = args.Threads;
        var ml = new MLContext(seed: args.Seed);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(args.Budget));
        double epochs = 0;
        var options = new RecurrentClassifierOptions
        {
            LabelColumnName = "Label",
            FeatureColumnName = nameof(ImageRow.Pixels),
            StepWidth = 28,
            // The reference's model and optimiser (LSTM 128 → dense on the last state, Adam 1e-3, global-norm clip 5, batch
            // 128): our classifier's defaults are tuned for sentences (a bidirectional GRU, max pooling, input dropout).
            Cell = RecurrentCell.Lstm,
            HiddenSize = args.Hidden ?? 128,
            Bidirectional = false,
            Pooling = SequencePooling.Last,
            EmbeddingDropout = 0,
            Dropout = 0,
            BatchSize = args.Batch ?? 128,
            LearningRate = 1e-3f,
            MaxGradientNorm = 5,
            ValidationFraction = (double)ValidationImages / TrainImages,
            // Train to the deadline as the reference does, keeping the best epoch: no early stop.
            Patience = null,
            MaxEpochs = null,
            TimeBudget = TimeSpan.FromSeconds(args.Budget),
            StopToken = deadline.Token,
            Seed = args.Seed,
            NumberOfThreads = args.Threads,
            ReportEvery = int.MaxValue,
            Progress = new SynchronousProgress(p =>
            {
                epochs = p.Epoch;
                Console.WriteLine($"epoch {p.Epoch:F2} train_loss {p.TrainLoss:F4} val_loss {p.ValidationLoss:F4} val_accuracy {p.ValidationAccuracy:F4} " +
                                  $"{p.CharsPerSecond:F0} images/s {p.Elapsed.TotalSeconds:F0}s");
            }),
        };
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", nameof(ImageRow.Class))
            .Append(ml.MulticlassClassification.Trainers.Recurrent(options));
        var trainData = ml.Data.LoadFromEnumerable(train);
        var clock = Stopwatch.StartNew();
        var model = pipeline.Fit(trainData);
        double seconds = clock.Elapsed.TotalSeconds;
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(ml.Data.LoadFromEnumerable(test)));
        double trained = epochs * (TrainImages - ValidationImages);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT task=fmnist accuracy={metrics.MicroAccuracy:F5} n_test={test.Length} epochs={(int)epochs} train_items/s={trained / seconds:F1} " +
            $"peak_rss_mb={PeakRss.Megabytes():F0} threads={args.Threads} budget={args.Budget:G}"));
        return 0;
    }

    // Images 0–54,999 of the training file and the whole test file; 55,000–59,999 (the reference's validation) are not read.
    private static (ImageRow[] Train, ImageRow[] Test) Load(string data)
    {
        string dir = Path.Combine(data, "fashion-mnist");
        ImageRow[] Rows(string images, string labels, int count)
        {
            var x = IdxFile.ReadImages(Path.Combine(dir, images));
            var y = IdxFile.ReadLabels(Path.Combine(dir, labels));
            if (x.Rows * x.Columns != ImageRow.Size || x.Count != y.Length || x.Count < count)
                throw new InvalidDataException($"{dir}: {images} holds {x.Count} images of {x.Rows}×{x.Columns}, {labels} {y.Length} labels; " +
                                               $"expected at least {count} of 28×28 with one label each.");
            return [.. Enumerable.Range(0, count).Select(i => new ImageRow { Class = y[i], Pixels = x.Scaled(i) })];
        }
        return (Rows("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", TrainImages),
                Rows("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", 10_000));
    }
}

/// <summary>One image: its class (0–9) and its 28 × 28 pixels ÷ 255, row after row.</summary>
internal sealed class ImageRow
{
    public const int Size = 28 * 28;

    public uint Class { get; set; }

    [VectorType(Size)]
    public float[] Pixels { get; set; } = [];
}
