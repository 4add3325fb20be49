using System.Globalization;

namespace Microsoft.ML.Recurrent.Benchmarks;

/// <summary>
/// The sequence tasks' command line (../shared/bench/README.md, "Sequence tasks"): <c>--task g2p|de-en|pos|fmnist
/// --data DIR --budget S --threads N [--seed S] [--hidden H --emb E --batch B] [--baseline]</c>, the flags of the
/// reference tasks_torch.py. Hidden, Emb and Batch stay null when not given: each task then uses its own defaults,
/// and with them the reference's architecture. <c>--baseline</c> (a switch) runs ML.NET's best route without us instead.
/// </summary>
internal sealed record TaskArguments(string Task, string Data, double Budget, int Threads, int Seed, int? Hidden, int? Emb, int? Batch, bool Baseline)
{
    /// <summary>The tasks of the contract, whether implemented here or not.</summary>
    public static readonly IReadOnlyList<string> Tasks = ["pos", "g2p", "de-en", "fmnist"];

    private static readonly HashSet<string> ValueFlags = ["task", "data", "budget", "threads", "seed", "hidden", "emb", "batch"];

    /// <summary>True when the command line asks for a sequence task (it has a <c>--task</c> flag).</summary>
    public static bool IsTaskCommandLine(string[] args) => Array.IndexOf(args, "--task") >= 0;

    /// <summary>Parses the flags; every problem (unknown flag, missing or malformed value, unknown task) is an ArgumentException naming it.</summary>
    public static TaskArguments Parse(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        bool baseline = false;
        for (int i = 0; i < args.Length; i++)
        {
            string flag = args[i];
            if (!flag.StartsWith("--", StringComparison.Ordinal))
                throw new ArgumentException($"Expected a flag (--name), got '{flag}'.");
            string name = flag[2..];
            if (name == "baseline")
            {
                baseline = true;
                continue;
            }
            if (!ValueFlags.Contains(name))
                throw new ArgumentException($"Unknown flag '{flag}' (known: --{string.Join(", --", ValueFlags)}, --baseline).");
            if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                throw new ArgumentException($"Flag '{flag}' needs a value.");
            if (!values.TryAdd(name, args[++i]))
                throw new ArgumentException($"Flag '{flag}' is given twice.");
        }
        string task = values.TryGetValue("task", out var t) ? t : throw new ArgumentException("--task is required (pos, g2p, de-en, fmnist).");
        if (!Tasks.Contains(task))
            throw new ArgumentException($"Unknown --task '{task}' (pos, g2p, de-en, fmnist).");
        int? Positive(string name)
        {
            if (!values.TryGetValue(name, out var text)) return null;
            if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value <= 0)
                throw new ArgumentException($"--{name} must be a positive integer, got '{text}'.");
            return value;
        }
        double budget = 300; // the reference's default
        if (values.TryGetValue("budget", out var b) &&
            (!double.TryParse(b, NumberStyles.Float, CultureInfo.InvariantCulture, out budget) || !(budget > 0) || double.IsInfinity(budget)))
            throw new ArgumentException($"--budget must be a positive number of seconds, got '{b}'.");
        int seed = 1; // the reference's default
        if (values.TryGetValue("seed", out var s) && !int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out seed))
            throw new ArgumentException($"--seed must be an integer, got '{s}'.");
        int threads = Positive("threads") ?? Environment.ProcessorCount;
        int? hidden = Positive("hidden"), emb = Positive("emb"), batch = Positive("batch");
        string data = values.TryGetValue("data", out var d) ? d : "../shared/data";
        if (!Directory.Exists(data))
            throw new ArgumentException($"--data '{data}' is not a folder (expected ../shared/data).");
        return new TaskArguments(task, data, budget, threads, seed, hidden, emb, batch, baseline);
    }
}
