namespace Microsoft.ML.Recurrent.Benchmarks;

/// <summary>The reference scripts' command line: --name value pairs.</summary>
internal sealed record BenchmarkArguments(string Mode, string Data, RecurrentCell Cell, int Hidden, int Layers, int Batch, int Seq,
    int Threads, int Seed, int Iters, int Warmup, double Budget, int NChars)
{
    public static BenchmarkArguments Parse(string[] args)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
                throw new ArgumentException($"Expected '--name value' pairs, got '{args[i]}'.");
            d[args[i][2..]] = args[++i];
        }
        string Get(string key, string fallback) => d.TryGetValue(key, out var v) ? v : fallback;
        int Int(string key, int fallback) => int.Parse(Get(key, fallback.ToString()), System.Globalization.CultureInfo.InvariantCulture);
        return new BenchmarkArguments(
            Get("mode", "bench"),
            Get("data", "../shared/data/tinyshakespeare.txt"),
            Enum.Parse<RecurrentCell>(Get("cell", "lstm"), ignoreCase: true),
            Int("hidden", 128), Int("layers", 2), Int("batch", 50), Int("seq", 50),
            Math.Max(1, Int("threads", Environment.ProcessorCount)), Int("seed", 123),
            Int("iters", 50), Int("warmup", 3),
            double.Parse(Get("budget", "180"), System.Globalization.CultureInfo.InvariantCulture),
            Int("nchars", 1000));
    }
}
