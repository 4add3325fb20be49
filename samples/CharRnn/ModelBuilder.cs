using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using Microsoft.ML.Recurrent;

namespace CharRnn;

/// <summary>Loads the corpus, trains the model with progress on the console, evaluates it, and saves it.</summary>
internal static class ModelBuilder
{
    private const string CorpusPrefix = "CharRnn.Corpus/";
    private const float ValidationFraction = 0.1f;

    public static CharLanguageModel TrainEvaluateSave(Settings settings, CancellationToken cancellationToken)
    {
        var (text, corpusName) = LoadCorpus(settings.DataPath);
        var options = new CharLanguageModelOptions
        {
            Cell = settings.Cell,
            HiddenSize = settings.HiddenSize,
            Layers = settings.Layers,
            TimeBudget = settings.TimeBudget,
            MaxEpochs = settings.Epochs,
            Seed = settings.Seed,
            ValidationFraction = ValidationFraction,
            EvaluateEvery = 100,
            ReportEvery = 10,
            SampleLength = 160,
        };
        string budget = string.Join(" or ", new[]
        {
            settings.TimeBudget is { } t ? $"{t.TotalSeconds:0.#} s" : null,
            settings.Epochs is { } e ? $"{e:0.##} epochs" : null,
        }.OfType<string>());
        Console.WriteLine($"Training an {settings.Cell.ToString().ToUpperInvariant()} language model, {settings.Layers} × {settings.HiddenSize} hidden units, " +
                          $"on {corpusName} ({text.Length:N0} characters; last {ValidationFraction:P0} held out) for {budget}.");
        Console.WriteLine("Ctrl+C stops without saving.");

        var clock = Stopwatch.StartNew();
        var model = CharLanguageModel.Train(text, options, new ConsoleProgress(), cancellationToken);
        Console.WriteLine($"Trained in {clock.Elapsed.TotalSeconds:F0} s: {model.ParameterCount:N0} parameters, " +
                          $"vocabulary of {model.Vocabulary.Count} characters.");

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
        return model;
    }

    /// <summary>The training text: the file given with --data, or the built-in corpus.</summary>
    private static (string Text, string Name) LoadCorpus(string? path)
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
    private static string HeldOut(string text, float fraction)
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

    /// <summary>Prints progress lines (at most one a second, and every evaluation) and the samples taken at evaluations.</summary>
    private sealed class ConsoleProgress : IProgress<TrainingProgress>
    {
        private readonly Stopwatch _sincePrint = Stopwatch.StartNew();
        private bool _printed;

        public void Report(TrainingProgress p)
        {
            if (p.ValidationLoss is null && _printed && _sincePrint.Elapsed < TimeSpan.FromSeconds(1))
            {
                return;
            }
            _printed = true;
            _sincePrint.Restart();
            var inv = CultureInfo.InvariantCulture;
            string validation = p.ValidationLoss is { } v ? string.Format(inv, "{0:F4} ({1:F2} bpc)", v, p.ValidationBitsPerChar) : "-";
            string left = p.Remaining is { } r ? $"{(int)r.TotalMinutes}:{r.Seconds:00}" : "?";
            Console.WriteLine(string.Format(inv,
                "iter {0,6}  epoch {1,6:F2}  train {2:F4}  val {3,-16} {4,9:N0} chars/s  {5,6} left",
                p.Iteration, p.Epoch, p.TrainLoss, validation, p.CharsPerSecond, left));
            if (p.Sample is { Length: > 0 } sample)
            {
                Console.WriteLine("  ---- sample ----");
                Console.WriteLine("  " + sample.ReplaceLineEndings("\n  "));
                Console.WriteLine("  ----------------");
            }
        }
    }
}
