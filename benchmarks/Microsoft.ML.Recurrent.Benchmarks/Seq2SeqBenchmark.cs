using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.Recurrent.Numerics;
using Microsoft.ML.Recurrent.Translation;
using Translation;

namespace Microsoft.ML.Recurrent.Benchmarks;

/// <summary>
/// <c>--task g2p</c> (CMUdict grapheme-to-phoneme) and <c>--task de-en</c> (short German–English sentences): split and
/// tokenised as the reference tasks_torch.py does. Trains our translator on every (source, reference) pair for
/// <c>--budget</c> seconds, keeps the best on the validation split, decodes the test split greedily and prints the
/// reference's RESULT line (<c>wer= per=</c> for g2p, <c>bleu=</c> for de-en), then a DECODING line: sources per second
/// of our greedy decoding (batched and one by one), of beam 5, and of ONNX Runtime running our exported greedy graph,
/// and whether ONNX Runtime's outputs equal ours.
/// </summary>
internal static class Seq2SeqBenchmark
{
    public static int Run(TaskArguments args)
    {
        bool g2p = args.Task == "g2p";
        var (train, valid, test) = g2p ? SequenceCorpora.Cmudict(args.Data) : SequenceCorpora.GermanEnglish(args.Data);
        Console.WriteLine($"{args.Task}: train {train.Count} sources / {train.Sum(s => s.References.Length)} pairs, valid {valid.Count}, test {test.Count}");
        KernelSettings.MaxThreads = args.Threads;
        var pairs = Pairs(train);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(args.Budget));
        double epochs = 0;
        var options = Defaults(g2p);
        options.TimeBudget = TimeSpan.FromSeconds(args.Budget);
        options.MaxEpochs = null;
        options.StopToken = deadline.Token;
        options.Seed = args.Seed;
        options.NumberOfThreads = args.Threads;
        options.Progress = new SynchronousProgress(p =>
        {
            epochs = p.Epoch;
            Console.WriteLine($"epoch {p.Epoch:F2} train_loss {p.TrainLoss:F4} val_loss {p.ValidationLoss:F4} val_next_token {p.ValidationAccuracy:F4} " +
                              (p.ValidationMetricName is { } name ? $"val_{name} {p.ValidationMetric:F4} " : "") +
                              $"{p.CharsPerSecond:F0} tokens/s {p.Elapsed.TotalSeconds:F0}s");
        });
        if (args.Hidden is int hidden) options.HiddenSize = hidden;
        if (args.Emb is int emb) options.SourceEmbeddingSize = options.TargetEmbeddingSize = emb;
        if (args.Batch is int batch) options.BatchSize = batch;
        var clock = Stopwatch.StartNew();
        var translator = SequenceTranslator.Train(pairs, options, Pairs(valid));
        double seconds = clock.Elapsed.TotalSeconds;
        long trainTokens = pairs.Sum(p => (long)p.Target.Count + 1);
        clock.Restart();
        var outputs = translator.Translate(test.Select(t => (IReadOnlyList<string>)t.Source));
        double greedySeconds = clock.Elapsed.TotalSeconds;
        var metrics = TranslationEvaluator.Evaluate(outputs, [.. test.Select(t => (IReadOnlyList<IReadOnlyList<string>>)t.References)]);
        string fields = g2p
            ? string.Create(CultureInfo.InvariantCulture, $"wer={metrics.SequenceErrorRate:F5} per={metrics.TokenErrorRate:F5}")
            : string.Create(CultureInfo.InvariantCulture, $"bleu={metrics.Bleu:F5}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT task={args.Task} {fields} n_test={test.Count} epochs={(int)epochs} train_items/s={epochs * trainTokens / seconds:F1} " +
            $"peak_rss_mb={PeakRss.Megabytes():F0} threads={args.Threads} budget={args.Budget:G}"));
        Console.WriteLine(DecodingSpeed(translator, test, outputs, greedySeconds, args.Threads));
        var beam = translator.Evaluate(Pairs(test), new TranslationDecoding { BeamSize = 5 });
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"BEAM5 wer={beam.SequenceErrorRate:F5} per={beam.TokenErrorRate:F5} bleu={beam.Bleu:F5}"));
        return 0;
    }

    /// <summary>Our defaults for the task: g2p at the options' own; de-en with word embeddings of 128 as the reference.</summary>
    private static SequenceTranslatorOptions Defaults(bool g2p) => g2p ? new SequenceTranslatorOptions() : new SequenceTranslatorOptions
    {
        SourceEmbeddingSize = 128,
        TargetEmbeddingSize = 128,
        ValidationMetric = TranslationValidationMetric.Bleu,
    };

    private static List<SequencePair> Pairs(IEnumerable<ReferenceSet> items)
        => [.. items.SelectMany(i => i.References.Select(r => new SequencePair(i.Source, r)))];

    // Sources per second of batched greedy decoding (the test split above), and on the first 500 test sources one by one,
    // with beam 5, and through ONNX Runtime (one source per run, as the ML.NET transformer runs it).
    private static string DecodingSpeed(SequenceTranslator translator, List<ReferenceSet> test, IReadOnlyList<string[]> greedy, double greedySeconds, int threads)
    {
        var some = test.Take(500).Select(t => (IReadOnlyList<string>)t.Source).ToList();
        var clock = Stopwatch.StartNew();
        foreach (var source in some) translator.Translate(source);
        double single = some.Count / clock.Elapsed.TotalSeconds;
        clock.Restart();
        translator.Translate(some, new TranslationDecoding { BeamSize = 5 });
        double beam = some.Count / clock.Elapsed.TotalSeconds;
        using var stream = new MemoryStream();
        translator.ExportToOnnx(stream);
        using var options = new SessionOptions { IntraOpNumThreads = threads };
        using var session = new InferenceSession(stream.ToArray(), options);
        int same = 0;
        clock.Restart();
        for (int i = 0; i < some.Count; i++)
        {
            var input = new DenseTensor<string>(some[i].ToArray(), [1, some[i].Count]);
            using var results = session.Run([NamedOnnxValue.CreateFromTensor(TranslatorGraph.Input, input)], [TranslatorGraph.Tokens]);
            if (results[0].AsEnumerable<string>().SequenceEqual(greedy[i])) same++;
        }
        double onnx = some.Count / clock.Elapsed.TotalSeconds;
        return string.Create(CultureInfo.InvariantCulture,
            $"DECODING greedy_batched={test.Count / greedySeconds:F0} greedy_one_by_one={single:F0} beam5={beam:F0} onnxruntime_greedy={onnx:F0} sources/s onnx_same={same}/{some.Count}");
    }
}
