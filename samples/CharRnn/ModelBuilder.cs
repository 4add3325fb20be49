using System.Diagnostics;
using System.Reflection;
using System.Text;
using Microsoft.ML.Recurrent;
using Microsoft.ML.Recurrent.Plotting;

namespace CharRnn;

/// <summary>Loads the corpus, trains the model with progress on the console, evaluates it, and saves it.</summary>
internal static class ModelBuilder
{
    private const string CorpusPrefix = "CharRnn.Corpus/";
    /// <summary>The end of the text held out for validation (and visualized by --visualize).</summary>
    public const float ValidationFraction = 0.1f;

    public static CharLanguageModel TrainEvaluateSave(Settings settings)
    {
        var (text, corpusName) = LoadCorpus(settings.DataPath);
        using var csv = settings.ProgressCsvPath is { } csvPath ? new TrainingProgressCsvWriter(csvPath) : null;
        // The curves come from the CSV log when there is one (it holds the earlier sessions of a resumed run), else from
        // the reports of this session, kept in memory.
        var recorder = settings.PlotPath is not null && csv is null ? new TrainingProgressRecorder() : null;
        var options = new CharLanguageModelOptions
        {
            Cell = settings.Cell,
            HiddenSize = settings.HiddenSize,
            Layers = settings.Layers,
            TimeBudget = settings.TimeBudget,
            MaxEpochs = settings.Epochs,
            MaxIterations = settings.Iterations,
            Seed = settings.Seed,
            ValidationFraction = ValidationFraction,
            EvaluateEvery = settings.EvaluateEvery,
            CheckpointPath = settings.CheckpointPath,
            Progress = (IProgress<TrainingProgress>?)csv ?? recorder,
            ReportEvery = 10,
            SampleLength = 160,
        };
        string budget = string.Join(" or ", new[]
        {
            settings.TimeBudget is { } t ? $"{t.TotalSeconds:0.#} s" : null,
            settings.Epochs is { } e ? $"{e:0.##} epochs" : null,
            settings.Iterations is { } i ? $"{i} iterations" : null,
        }.OfType<string>());
        Console.WriteLine($"Training an {settings.Cell.ToString().ToUpperInvariant()} language model, {settings.Layers} × {settings.HiddenSize} hidden units, " +
                          $"on {corpusName} ({text.Length:N0} characters; last {ValidationFraction:P0} held out) for {budget}.");
        Console.WriteLine(ConsoleStopRequest.Explanation(settings.CheckpointPath));

        var clock = Stopwatch.StartNew();
        // A live status line on a terminal; whole lines (one a second and every evaluation) when redirected.
        using var progress = new ConsoleTrainingProgress(unit: "chars/s") { CheckpointPath = settings.CheckpointPath };
        var (model, stopped) = ConsoleStopRequest.Run(progress, stop =>
        {
            options.StopToken = stop;
            return CharLanguageModel.Train(text, options, progress);
        });
        Console.WriteLine(stopped
            ? $"Stopped by Ctrl+C at iteration {progress.LastIteration} after {clock.Elapsed.TotalSeconds:F0} s; saving the best model so far."
            : $"Trained in {clock.Elapsed.TotalSeconds:F0} s: {model.ParameterCount:N0} parameters, vocabulary of {model.Vocabulary.Count} characters.");

        string heldOut = HeldOut(text, ValidationFraction);
        if (heldOut.Length >= 2)
        {
            double loss = model.Evaluate(heldOut);
            Console.WriteLine($"Held-out loss: {loss:F4} nats/char ({loss / Math.Log(2):F3} bits/char).");
        }

        string? folder = Path.GetDirectoryName(Path.GetFullPath(settings.ModelPath));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }
        model.Save(settings.ModelPath);
        Console.WriteLine($"Saved the model to {settings.ModelPath}.");
        if (settings.CheckpointPath is not null)
        {
            // The training loop wrote it at its last evaluation, which every stop (the end or Ctrl+C) makes.
            Console.WriteLine($"Saved the checkpoint to {settings.CheckpointPath}; the same command resumes from it.");
        }
        if (settings.PlotPath is { } plotPath)
        {
            SavePlot(plotPath, recorder?.Reports ?? TrainingProgressCsvReader.Read(settings.ProgressCsvPath!), settings);
        }
        return model;
    }

    /// <summary>Draws the loss curves; a run too short to have a report to draw says so and still succeeds (the model is saved).</summary>
    private static void SavePlot(string path, IReadOnlyList<TrainingProgress> reports, Settings settings)
    {
        string title = $"{settings.Cell.ToString().ToUpperInvariant()} {settings.Layers} × {settings.HiddenSize} on {(settings.DataPath is null ? "the built-in corpus" : Path.GetFileName(settings.DataPath))}";
        try
        {
            TrainingCurves.Save(reports, path, title: title);
            Console.WriteLine($"Saved the loss curves to {path}.");
        }
        catch (ArgumentException e)
        {
            Console.WriteLine($"No loss curves drawn: {e.Message}");
        }
    }

    /// <summary>The training text: the file given with --data, or the built-in corpus.</summary>
    public static (string Text, string Name) LoadCorpus(string? path)
    {
        if (path is not null)
        {
            return (CharLanguageModel.ReadUtf8Text(path), path);
        }
        var assembly = Assembly.GetExecutingAssembly();
        var text = new StringBuilder();
        var names = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(CorpusPrefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        foreach (var name in names)
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream, Encoding.UTF8);
            text.Append("// ").Append(name.AsSpan(CorpusPrefix.Length)).Append('\n');
            text.Append(reader.ReadToEnd().ReplaceLineEndings("\n").TrimStart('\uFEFF'));
            text.Append('\n');
        }
        return (text.ToString(), $"this repository's C# source ({names.Count} files, built in)");
    }

    /// <summary>The end of <paramref name="text"/> the trainer holds out for validation (counted in Unicode scalars, as the model does).</summary>
    public static string HeldOut(string text, float fraction)
    {
        int runes = 0;
        foreach (var _ in text.EnumerateRunes())
        {
            runes++;
        }
        int keep = (int)(runes * (double)fraction);
        int start = text.Length;
        while (keep > 0 && start > 0)
        {
            start -= char.IsLowSurrogate(text[start - 1]) && start > 1 && char.IsHighSurrogate(text[start - 2]) ? 2 : 1;
            keep--;
        }
        return text[start..];
    }
}
