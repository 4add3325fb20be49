using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.Recurrent.LanguageModel;
using Microsoft.ML.Recurrent.Numerics;
using Xunit;
using Xunit.Abstractions;

namespace Microsoft.ML.Recurrent.Tests.Onnx;

/// <summary>Random-weight models, ONNX Runtime calls and the onnx checker, shared by the ONNX tests.</summary>
internal static class OnnxTestModels
{
    /// <summary>Letters, punctuation, a newline and a character outside the BMP (two UTF-16 units).</summary>
    public const string Alphabet = "\n !',.?abcdefghijklmnopqrstuvwxyzé😀";

    public static CharLanguageModel Random(RecurrentCell cell, int layers, int hidden = 16, int seed = 1, float scale = 0.6f)
    {
        var vocabulary = CharVocabulary.FromText(Alphabet);
        var network = new LanguageNetwork(new LanguageModelShape(cell, vocabulary.Count, hidden, layers, 0f));
        network.Initialize(new RandomSource(seed), WeightInitialization.Uniform, scale);
        return CharLanguageModel.FromNetwork(vocabulary, network);
    }

    public static byte[] LanguageModelBytes(CharLanguageModel model)
    {
        using var stream = new MemoryStream();
        model.ExportToOnnx(stream);
        return stream.ToArray();
    }

    /// <summary>Our engine's next-character distributions after each prefix of ids, [T·V].</summary>
    public static float[] OurProbabilities(CharLanguageModel model, int[] ids)
    {
        var network = model.Network;
        int v = network.Shape.Vocabulary;
        var workspace = network.CreateWorkspace(ids.Length, 1);
        network.Forward(workspace, ids, network.CreateStates(1), ids.Length, null); // no dropout
        var probabilities = new float[ids.Length * v];
        for (int t = 0; t < ids.Length; t++)
            SoftmaxCrossEntropy.Softmax(workspace.Logits.AsSpan(t * v, v), probabilities.AsSpan(t * v, v), 1f);
        return probabilities;
    }

    /// <summary>ONNX Runtime's output of the distribution graph, [T·V].</summary>
    public static float[] OnnxProbabilities(InferenceSession session, int[] ids)
    {
        var input = new DenseTensor<long>(ids.Select(i => (long)i).ToArray(), [ids.Length]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(LanguageModelGraph.Input, input)]);
        return [.. results.Single(r => r.Name == LanguageModelGraph.Output).AsEnumerable<float>()];
    }

    /// <summary>Runs a generator graph on a prompt: the generated ids and text.</summary>
    public static (long[] Ids, string Text) OnnxGenerate(InferenceSession session, string prompt)
    {
        var units = new DenseTensor<ushort>(prompt.Select(c => (ushort)c).ToArray(), [1, prompt.Length]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(GeneratorGraph.Input, units)]);
        long[] ids = [.. results.Single(r => r.Name == GeneratorGraph.IdsOutput).AsEnumerable<long>()];
        string text = string.Concat(results.Single(r => r.Name == GeneratorGraph.CharsOutput).AsEnumerable<string>());
        return (ids, text);
    }

    public static InferenceSession Session(byte[] onnx)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        return new InferenceSession(onnx, options);
    }

    /// <summary>
    /// Runs onnx.checker.check_model(full_check=True) with Debian's python3-onnx on each graph (one process for all).
    /// Where onnx is missing the test fails under CI (which installs it) and otherwise says in its output that the
    /// check was skipped (see <see cref="CheckerMissing"/>).
    /// </summary>
    public static void Check(ITestOutputHelper output, params byte[][] graphs)
    {
        const string python = "/usr/bin/python3";
        if (!HasOnnxChecker())
        {
            CheckerMissing(output, Environment.GetEnvironmentVariable("CI"));
            return;
        }
        using var dir = new TestData.TempDirectory();
        string[] paths = [.. graphs.Select((g, i) =>
        {
            string path = dir.File($"graph{i}.onnx");
            File.WriteAllBytes(path, g);
            return path;
        })];
        var (code, printed) = RunProcess(python, ["-c", "import onnx, sys\nfor p in sys.argv[1:]: onnx.checker.check_model(p, full_check=True)", .. paths]);
        Assert.True(code == 0, "onnx.checker rejected a graph:\n" + printed);
        output.WriteLine($"onnx.checker accepted {graphs.Length} graph(s).");
    }

    /// <summary>
    /// A missing checker fails the test where <paramref name="ci"/> (the CI variable) says CI ("true" in any casing,
    /// or "1"): .ci/run installs python3-onnx there. Elsewhere xunit 2 has no dynamic skip, so the test passes and
    /// says in its output that nothing was checked.
    /// </summary>
    public static void CheckerMissing(ITestOutputHelper output, string? ci)
        => PythonModuleMissing(output, ci, "onnx", "python3-onnx", "the graphs were not checked");

    /// <summary>
    /// A Python module that a test needs is missing for /usr/bin/python3: under CI (see <see cref="CheckerMissing"/>)
    /// the test fails, because .ci/run installs <paramref name="package"/>; elsewhere it says in its output what was
    /// skipped (<paramref name="consequence"/>).
    /// </summary>
    public static void PythonModuleMissing(ITestOutputHelper output, string? ci, string module, string package, string consequence)
    {
        bool underCi = string.Equals(ci, "true", StringComparison.OrdinalIgnoreCase) || ci == "1";
        Assert.False(underCi, $"CI (CI={ci}) must provide the Python module {module}: .ci/run installs {package} for {Python}.");
        output.WriteLine($"SKIPPED: {package} is not installed for {Python}, so {consequence}.");
    }

    /// <summary>Debian's Python, which sees the python3-* packages (python3-onnx, python3-torch).</summary>
    public const string Python = "/usr/bin/python3";

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> s_modules = new();

    /// <summary>Whether <see cref="Python"/> can import <paramref name="module"/> (asked once per module).</summary>
    public static bool HasPythonModule(string module)
        => s_modules.GetOrAdd(module, m => File.Exists(Python) && RunProcess(Python, "-c", "import " + m).Code == 0);

    public static bool HasOnnxChecker() => HasPythonModule("onnx");

    /// <summary>Runs a program to its end, at most 60 s; see <see cref="RunProcess(string, TimeSpan, string[])"/>.</summary>
    public static (int Code, string Output) RunProcess(string file, params string[] arguments) => RunProcess(file, TimeSpan.FromSeconds(60), arguments);

    /// <summary>
    /// Runs a program and returns its exit code and what it printed (stdout, then stderr). Both streams are read
    /// while it runs, so that a child filling one pipe cannot block; past <paramref name="timeout"/> the process tree
    /// is killed and the test fails with what it had printed.
    /// </summary>
    public static (int Code, string Output) RunProcess(string file, TimeSpan timeout, params string[] arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{file} could not be started.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        // A grandchild outside the killed tree may keep a pipe open: wait for the output a little, never forever.
        string Printed()
        {
            Task.WaitAll([stdout, stderr], TimeSpan.FromSeconds(5));
            return (stdout.IsCompletedSuccessfully ? stdout.Result : "(stdout still open)\n") + (stderr.IsCompletedSuccessfully ? stderr.Result : "(stderr still open)");
        }
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(TimeSpan.FromSeconds(5));
            Assert.Fail($"{file} did not finish within {timeout.TotalSeconds:0.#} s and was killed. It printed:\n{Printed()}");
        }
        return (process.ExitCode, Printed());
    }
}
