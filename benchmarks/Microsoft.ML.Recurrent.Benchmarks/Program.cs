// The project's side of ../shared/bench/compare.sh: the same flags and RESULT lines as the reference
// char_torch.py / min_char_rnn.py, so the two run side by side on the same data.
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.Recurrent;
using Microsoft.ML.Recurrent.Benchmarks;
using Microsoft.ML.Recurrent.LanguageModel;
using Microsoft.ML.Recurrent.Numerics;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
if (Array.IndexOf(args, "sentiment") is int m and > 0 && args[m - 1] == "--mode")
    return SentimentBenchmark.Run(args); // its own options; it does not read the character corpus
if (TaskArguments.IsTaskCommandLine(args))
{
    TaskArguments task;
    try { task = TaskArguments.Parse(args); }
    catch (ArgumentException e)
    {
        Console.Error.WriteLine($"error: {e.Message}");
        return 2;
    }
    if (task.Task == "pos") return PosBenchmark.Run(task);
    if (task.Task is "g2p" or "de-en") return Seq2SeqBenchmark.Run(task);
    return FmnistBenchmark.Run(task);
}
var a = BenchmarkArguments.Parse(args);
KernelSettings.MaxThreads = a.Threads;
string text = CharLanguageModel.ReadUtf8Text(a.Data);
var options = new CharLanguageModelOptions
{
    Cell = a.Cell,
    HiddenSize = a.Hidden,
    Layers = a.Layers,
    BatchSize = a.Batch,
    SequenceLength = a.Seq,
    LearningRate = 2e-3f,
    Seed = a.Seed,
    MaxIterations = int.MaxValue,
    EvaluateEvery = int.MaxValue,
    KeepBest = false,
};
Console.WriteLine($"Microsoft.ML.Recurrent benchmark: mode={a.Mode} cell={a.Cell} {a.Layers}x{a.Hidden} B={a.Batch} T={a.Seq} threads={a.Threads} " +
                  $"simd={KernelSettings.HardwareVectorWidth}");

switch (a.Mode)
{
    case "bench":
    case "minchar":
        {
            bool minchar = a.Mode == "minchar";
            var o = minchar ? CharLanguageModelOptions.MinCharRnn() : options;
            o.Seed = a.Seed;
            o.MaxIterations = int.MaxValue;
            o.EvaluateEvery = int.MaxValue;
            var trainer = new LanguageModelTrainer(text, o);
            double loss = 0;
            for (int i = 0; i < a.Warmup; i++) loss = trainer.TrainStep();
            long allocated = GC.GetTotalAllocatedBytes(precise: true);
            var clock = Stopwatch.StartNew();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            for (int i = 0; i < a.Iters; i++) loss = trainer.TrainStep();
            double seconds = clock.Elapsed.TotalSeconds;
            double cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
            long allocPerIter = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / Math.Max(a.Iters, 1);
            double chars = (double)a.Iters * o.BatchSize * o.SequenceLength;
            Console.WriteLine($"RESULT {a.Mode} cell={o.Cell} {o.Layers}x{o.HiddenSize} threads={a.Threads} iters={a.Iters} time={seconds:F2}s " +
                              $"ms/iter={1000 * seconds / a.Iters:F2} chars/s={chars / seconds:F0} cpu_util={cpuSeconds / seconds:F2} " +
                              $"gflops={Flops.TrainingPerChar(o, trainer.Vocabulary.Count) * chars / seconds / 1e9:F1} " +
                              $"last_loss={loss:F3} alloc_bytes_per_iter={allocPerIter} peak_rss_mb={PeakRss.Megabytes():F0}");
            break;
        }
    case "train":
        {
            options.TimeBudget = TimeSpan.FromSeconds(a.Budget);
            options.MaxIterations = null;
            var progress = new SynchronousProgress(p =>
            {
                if (p.Iteration % 50 == 0) Console.WriteLine($"iter {p.Iteration} epoch {p.Epoch:F2} train_loss(ema) {p.TrainLoss:F4} train_time {p.Elapsed.TotalSeconds:F1}s {p.CharsPerSecond:F0} chars/s");
            });
            options.ReportEvery = 50;
            var clock = Stopwatch.StartNew();
            var trainer = LanguageModelTrainer.Run(text, options, progress, log: null, CancellationToken.None);
            Console.WriteLine($"RESULT train end iter={trainer.Iterations} train_time={trainer.TrainingTime.TotalSeconds:F1}s " +
                              $"chars/s={trainer.Iterations * (double)a.Batch * a.Seq / trainer.TrainingTime.TotalSeconds:F0} " +
                              $"val_loss={trainer.LastValidationLoss:F4} nats/char wall={clock.Elapsed.TotalSeconds:F1}s peak_rss_mb={PeakRss.Megabytes():F0}");
            break;
        }
    case "sample":
        {
            options.MaxIterations = 1;
            var trainer = new LanguageModelTrainer(text, options);
            var sampler = new Sampler(trainer.Network, trainer.Vocabulary);
            foreach (var _ in sampler.Generate("\n", 100, 1f, a.Seed)) { }
            var clock = Stopwatch.StartNew();
            int n = 0;
            foreach (var _ in sampler.Generate("\n", a.NChars, 1f, a.Seed)) n++;
            double us = clock.Elapsed.TotalMicroseconds / n;
            Console.WriteLine($"RESULT sample cell={a.Cell} {a.Layers}x{a.Hidden} threads={a.Threads} nchars={n} us/char={us:F2} peak_rss_mb={PeakRss.Megabytes():F0}");
            break;
        }
    case "onnx":
        return OnnxBenchmark.Run(a, args, text);
    case "peak":
        {
            double one = Enumerable.Range(0, 5).Max(_ => FmaPeak.GigaflopsPerSecond(1));
            double all = Enumerable.Range(0, 5).Max(_ => FmaPeak.GigaflopsPerSecond(a.Threads));
            Console.WriteLine($"RESULT peak fma_gflops_1thread={one:F1} fma_gflops_{a.Threads}threads={all:F1} peak_rss_mb={PeakRss.Megabytes():F0}");
            break;
        }
    default:
        Console.Error.WriteLine($"Unknown --mode '{a.Mode}' (bench, train, sample, minchar, onnx, peak, sentiment).");
        return 2;
}
return 0;
