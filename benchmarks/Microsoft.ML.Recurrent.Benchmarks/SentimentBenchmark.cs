using System.Diagnostics;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Microsoft.ML.Recurrent.Benchmarks;

/// <summary>
/// <c>--mode sentiment</c>: 10-fold cross-validation on rt-polarity (../shared/data, Windows-1252) of ML.NET's
/// standard text pipeline (FeaturizeText + SdcaLogisticRegression, as ML.NET's sentiment tutorial) and of our
/// recurrent classifier at its defaults, on the same folds in one run. Prints per-fold lines and RESULT lines with
/// accuracy mean ± std, AUC and training time. <c>--folds N</c> runs only the first N folds (quick checks);
/// <c>--verbose</c> prints our epochs; <c>--parallel N</c> trains N folds of ours at a time (default: the processor count); <c>--set Name=Value</c>
/// (repeatable) overrides one of our <see cref="RecurrentClassifierOptions"/>, for comparing settings. <c>--parts</c> instead
/// trains our classifier through its core API on the same folds and tokens and scores each part of the one model:
/// the recurrent network alone, the naive Bayes n-gram evidence alone, and the two stacked.
/// </summary>
internal static class SentimentBenchmark
{
    private const int Folds = 10;

    public static int Run(string[] args)
    {
        string dir = Option(args, "--data") ?? "../shared/data";
        int folds = int.Parse(Option(args, "--folds") ?? Folds.ToString(), System.Globalization.CultureInfo.InvariantCulture);
        int parallel = int.Parse(Option(args, "--parallel") ?? Environment.ProcessorCount.ToString(), System.Globalization.CultureInfo.InvariantCulture);
        var rows = Load(Path.Combine(dir, "rt-polarity.pos"), true).Concat(Load(Path.Combine(dir, "rt-polarity.neg"), false)).ToArray();
        // The same fold of every row for both pipelines: a seeded shuffle, then row i goes to fold i mod 10.
        var shuffled = rows.OrderBy(_ => 0).ToArray();
        new Random(2026).Shuffle(shuffled);
        for (int i = 0; i < shuffled.Length; i++) shuffled[i].Fold = i % Folds;
        Console.WriteLine($"rt-polarity: {rows.Length} sentences, {Folds}-fold CV (running {folds}), {Environment.ProcessorCount} cores");
        if (args.Contains("--parts")) return SentimentParts.Run(shuffled.Select(r => (r.Text, r.Label, r.Fold)).ToArray(), folds, parallel, Options(args));

        var baseline = new Result("ML.NET FeaturizeText + SdcaLogisticRegression");
        var ours = new Result("Recurrent (defaults)");
        for (int f = 0; f < folds; f++)
        {
            var ml = new MLContext(seed: f);
            var (train, test) = Split(ml, shuffled, f);
            var pipeline = ml.Transforms.Text.FeaturizeText("Features", nameof(Row.Text))
                .Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression(nameof(Row.Label), "Features"));
            baseline.Add(f, ml, pipeline, train, test);
        }
        // Our folds are independent single-threaded trainings: run them side by side on the cores.
        var results = new (double, double, double)[folds];
        var wall = Stopwatch.StartNew();
        Parallel.For(0, folds, new ParallelOptions { MaxDegreeOfParallelism = parallel }, f =>
        {
            var ml = new MLContext(seed: f);
            if (args.Contains("--verbose")) ml.Log += (_, e) => { if (e.Message.Contains("epoch", StringComparison.Ordinal) || e.Message.Contains("n-gram", StringComparison.Ordinal)) Console.WriteLine($"fold {f}: {e.Message}"); };
            var (train, test) = Split(ml, shuffled, f);
            var pipeline = ml.Transforms.Text.TokenizeIntoWords("Words", nameof(Row.Text))
                .Append(ml.Transforms.Conversion.MapValueToKey("Tokens", "Words"))
                .Append(ml.BinaryClassification.Trainers.Recurrent(Options(args)));
            results[f] = Result.Measure(ml, pipeline, train, test);
            Console.WriteLine($"fold {f}: recurrent accuracy {results[f].Item1:P2} auc {results[f].Item2:F4} train {results[f].Item3:F1}s");
        });
        double oursWall = wall.Elapsed.TotalSeconds;
        foreach (var r in results) ours.Add(r);
        baseline.Print();
        ours.Print();
        Console.WriteLine($"RESULT recurrent wall time for {folds} folds (fit + evaluate, {parallel} at a time): {oursWall:F1} s");
        Console.WriteLine($"RESULT sentiment delta_accuracy={100 * (ours.MeanAccuracy - baseline.MeanAccuracy):F2} points");
        return 0;
    }

    private static RecurrentClassifierOptions Options(string[] args)
    {
        // Seed 0, the classifier's default when the README's figures were measured (no seed now means the MLContext's).
        var options = new RecurrentClassifierOptions { LabelColumnName = nameof(Row.Label), FeatureColumnName = "Tokens", Seed = 0 };
        for (int i = 0; i + 1 < args.Length; i++)
        {
            if (args[i] != "--set") continue;
            var (name, value) = (args[i + 1].Split('=')[0], args[i + 1].Split('=')[1]);
            var property = typeof(RecurrentClassifierOptions).GetProperty(name) ?? throw new ArgumentException($"No option '{name}'.");
            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType; // MaxEpochs, Seed, Patience, … are nullable
            property.SetValue(options, type.IsEnum ? Enum.Parse(type, value, ignoreCase: true)
                : Convert.ChangeType(value, type, System.Globalization.CultureInfo.InvariantCulture));
        }
        return options;
    }

    private static (IDataView Train, IDataView Test) Split(MLContext ml, Row[] rows, int fold)
        => (ml.Data.LoadFromEnumerable(rows.Where(r => r.Fold != fold)), ml.Data.LoadFromEnumerable(rows.Where(r => r.Fold == fold)));

    // The files are Windows-1252; Latin-1 decodes every byte the same except 0x80–0x9F, which these files do not use.
    private static IEnumerable<Row> Load(string path, bool label)
        => File.ReadLines(path, Encoding.Latin1).Where(l => l.Trim().Length > 0).Select(l => new Row { Label = label, Text = l.Trim() });

    private static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private sealed class Row
    {
        public bool Label { get; set; }
        public string Text { get; set; } = "";
        [NoColumn]
        public int Fold { get; set; }
    }

    private sealed class Result(string name)
    {
        private readonly List<(double Accuracy, double Auc, double Seconds)> _folds = [];

        public double MeanAccuracy => _folds.Average(f => f.Accuracy);

        public static (double, double, double) Measure(MLContext ml, IEstimator<ITransformer> pipeline, IDataView train, IDataView test)
        {
            var clock = Stopwatch.StartNew();
            var model = pipeline.Fit(train);
            double seconds = clock.Elapsed.TotalSeconds;
            var metrics = ml.BinaryClassification.Evaluate(model.Transform(test), nameof(Row.Label));
            return (metrics.Accuracy, metrics.AreaUnderRocCurve, seconds);
        }

        public void Add(int fold, MLContext ml, IEstimator<ITransformer> pipeline, IDataView train, IDataView test)
        {
            var r = Measure(ml, pipeline, train, test);
            Console.WriteLine($"fold {fold}: baseline accuracy {r.Item1:P2} auc {r.Item2:F4} train {r.Item3:F1}s");
            Add(r);
        }

        public void Add((double, double, double) r) => _folds.Add(r);

        public void Print()
        {
            var (mean, std) = FoldStatistics.MeanStd([.. _folds.Select(f => f.Accuracy)]);
            Console.WriteLine($"RESULT {name}: accuracy {100 * mean:F2} ± {100 * std:F2} % auc {_folds.Average(f => f.Auc):F4} " +
                              $"training {_folds.Sum(f => f.Seconds):F1} s summed over {_folds.Count} folds");
        }
    }
}
