using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.Recurrent.LanguageModel;
using Microsoft.ML.Recurrent.Numerics;
using Microsoft.ML.Recurrent.Onnx;

namespace Microsoft.ML.Recurrent.Benchmarks;

/// <summary>
/// <c>--mode onnx</c>: greedy generation of --nchars characters by our engine and by ONNX Runtime running the
/// exported generator graph, on the same random-weight model (--cell, --layers, --hidden; the vocabulary of
/// --data), plus parity checks: identical greedy text, and the largest probability difference of the
/// distribution graph. <c>--gpu N</c> runs ONNX Runtime on CUDA device N (no CPU fallback: the point is to
/// measure CUDA); it needs the build with <c>-p:OnnxRuntimeGpu=true</c> (tests/gpu/run.sh).
/// </summary>
internal static class OnnxBenchmark
{
    public static int Run(BenchmarkArguments a, string[] args, string text)
    {
        int? gpu = Option(args, "--gpu");
        var vocabulary = CharVocabulary.FromText(text);
        var network = new LanguageNetwork(new LanguageModelShape(a.Cell, vocabulary.Count, a.Hidden, a.Layers, 0f));
        network.Initialize(new RandomSource(a.Seed), WeightInitialization.Uniform, 0.08f);
        var model = CharLanguageModel.FromNetwork(vocabulary, network);
        string prompt = text[..Math.Min(100, text.Length)];
        int repeats = Math.Max(1, a.Iters / 10);

        string ours = "";
        double oursMs = Median(repeats, () => ours = model.Generate(prompt, a.NChars, temperature: 0));

        var execution = new OnnxExecutionOptions { GpuDeviceId = gpu, FallbackToCpu = false, IntraOpThreads = a.Threads };
        byte[] generator = model.ExportGenerator(a.NChars, temperature: 0, seed: 0);
        var placement = OnnxExecution.Resolve(execution, generator, log: null);
        using var session = placement.CreateSession(generator);
        var units = new DenseTensor<ushort>(prompt.Select(c => (ushort)c).ToArray(), [1, prompt.Length]);
        string theirs = "";
        double onnxMs = Median(repeats, () =>
        {
            using var results = session.Run([NamedOnnxValue.CreateFromTensor(GeneratorGraph.Input, units)], [GeneratorGraph.CharsOutput]);
            theirs = string.Concat(results[0].AsEnumerable<string>());
        });

        // Probabilities over a 200-character window of the text, on the same placement.
        byte[] distribution = OnnxExport.LanguageModel(vocabulary, network, null);
        using var lm = placement.CreateSession(distribution);
        int[] ids = vocabulary.Encode(text[..Math.Min(200, text.Length)]);
        var input = new DenseTensor<long>(ids.Select(i => (long)i).ToArray(), [ids.Length]);
        using var probs = lm.Run([NamedOnnxValue.CreateFromTensor(LanguageModelGraph.Input, input)]);
        float maxDiff = MaxDifference(network, ids, [.. probs[0].AsEnumerable<float>()]);

        Console.WriteLine($"RESULT onnx cell={a.Cell} {a.Layers}x{a.Hidden} vocab={vocabulary.Count} nchars={a.NChars} device=\"{placement.Device}\" " +
                          $"ours_ms={oursMs:F1} onnxruntime_ms={onnxMs:F1} ratio={onnxMs / oursMs:F2} greedy_identical={ours == theirs} " +
                          $"max_prob_diff={maxDiff:E2} repeats={repeats}");
        return ours == theirs && maxDiff <= 1e-4f ? 0 : 1;
    }

    private static int? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture) : null;
    }

    // Median wall time in ms of `repeats` runs, after one warm-up run.
    private static double Median(int repeats, Action run)
    {
        run();
        var times = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            run();
            times[i] = clock.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        return times[repeats / 2];
    }

    private static float MaxDifference(LanguageNetwork network, int[] ids, float[] theirs)
    {
        int v = network.Shape.Vocabulary;
        var workspace = network.CreateWorkspace(ids.Length, 1);
        network.Forward(workspace, ids, network.CreateStates(1), ids.Length, null); // no dropout
        var ours = new float[v];
        float max = 0;
        for (int t = 0; t < ids.Length; t++)
        {
            SoftmaxCrossEntropy.Softmax(workspace.Logits.AsSpan(t * v, v), ours, 1f);
            for (int i = 0; i < v; i++) max = Math.Max(max, Math.Abs(ours[i] - theirs[t * v + i]));
        }
        return max;
    }
}
