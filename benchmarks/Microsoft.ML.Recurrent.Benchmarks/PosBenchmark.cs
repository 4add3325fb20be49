using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.Recurrent.Numerics;
using PosTagging;

namespace Microsoft.ML.Recurrent.Benchmarks;

/// <summary>
/// <c>--task pos</c>: part-of-speech tagging of the Brown corpus, split as the reference tasks_torch.py splits it.
/// Trains our tagger for <c>--budget</c> seconds, scores the test split and prints the reference's RESULT line.
/// With <c>--baseline</c> it runs ML.NET's best route without us instead (<see cref="PosBaseline"/>) and prints a
/// BASELINE line: a separate process, so that neither run's peak memory or warm caches reach the other's figures.
/// </summary>
internal static class PosBenchmark
{
    public static int Run(TaskArguments args)
    {
        var (train, valid, test) = BrownCorpus.Load(args.Data);
        Console.WriteLine($"Brown: train {train.Count} sentences / {train.Sum(s => s.Tokens.Count)} tokens, " +
                          $"valid {valid.Count} / {valid.Sum(s => s.Tokens.Count)}, test {test.Count} / {test.Sum(s => s.Tokens.Count)}");
        if (args.Baseline) return PosBaseline.Run(args, train, test);
        KernelSettings.MaxThreads = args.Threads;
        var r = RunTagger(args, train, valid, test);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT task=pos accuracy={r.Accuracy:F5} oov_accuracy={r.OovAccuracy:F5} n_test={r.TestTokens} epochs={r.Epochs} " +
            $"train_items/s={r.TrainTokensPerSecond:F1} peak_rss_mb={PeakRss.Megabytes():F0} threads={args.Threads} budget={args.Budget:G}"));
        return 0;
    }

    // Our tagger on `train` for args.Budget seconds of wall time, validation included as the reference counts it (a stop
    // requested at the deadline ends training after one last evaluation), keeping the best on `valid`, scored on `test`.
    // Our defaults unless --hidden/--emb/--batch give the reference's architecture.
    private static PosScore RunTagger(TaskArguments args, IReadOnlyList<TaggedSentence> train, IReadOnlyList<TaggedSentence> valid, IReadOnlyList<TaggedSentence> test)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(args.Budget));
        double epochs = 0;
        var options = new SequenceTaggerOptions
        {
            TimeBudget = TimeSpan.FromSeconds(args.Budget),
            MaxEpochs = null,
            StopToken = deadline.Token,
            Seed = args.Seed,
            NumberOfThreads = args.Threads,
            Progress = new SynchronousProgress(p =>
            {
                epochs = p.Epoch;
                Console.WriteLine($"epoch {p.Epoch:F2} train_loss {p.TrainLoss:F4} val_loss {p.ValidationLoss:F4} val_accuracy {p.ValidationAccuracy:F4} " +
                                  $"{p.CharsPerSecond:F0} tokens/s {p.Elapsed.TotalSeconds:F0}s");
            }),
        };
        if (args.Hidden is int hidden) options.HiddenSize = hidden;
        if (args.Emb is int emb) options.EmbeddingSize = emb;
        if (args.Batch is int batch) options.BatchSize = batch;
        var clock = Stopwatch.StartNew();
        var tagger = SequenceTagger.Train(train, options, valid);
        double seconds = clock.Elapsed.TotalSeconds;
        var metrics = tagger.Evaluate(test);
        Console.WriteLine(TaggingSpeed.Measure(tagger, test));
        long trainTokens = train.Sum(s => (long)s.Tokens.Count);
        return new PosScore(metrics.TokenAccuracy, metrics.UnseenTokenAccuracy, (int)metrics.TokenCount, (int)epochs, epochs * trainTokens / seconds);
    }
}

/// <summary>
/// The figures of the RESULT line: test token accuracy, accuracy on test tokens whose lower-cased word never occurs
/// in training, the test split's token count (must equal the reference's n_test), epochs and training tokens per second of wall time.
/// </summary>
internal sealed record PosScore(double Accuracy, double OovAccuracy, int TestTokens, int Epochs, double TrainTokensPerSecond);
