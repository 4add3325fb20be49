using System.Globalization;
using Microsoft.ML.Recurrent;

namespace CharRnn;

/// <summary>Loads a saved model and generates text from it (printing characters as they are sampled), or looks inside it.</summary>
internal static class ConsumeModel
{
    private const int VisualizedCharacters = 3000;

    public static int LoadAndGenerate(Settings settings)
    {
        if (Load(settings) is not { } model)
        {
            return 1;
        }
        Console.WriteLine($"Loaded {settings.ModelPath}: {model.Cell.ToString().ToUpperInvariant()}, {model.Layers} × {model.HiddenSize} hidden units, " +
                          $"{model.ParameterCount:N0} parameters, {model.Vocabulary.Count} characters" +
                          (model.ValidationLoss is { } v ? $", best validation loss {v:F4} nats/char." : "."));
        var known = model.Vocabulary.ToHashSet();
        var unknown = settings.Prime.EnumerateRunes().Select(r => r.ToString()).Where(c => !known.Contains(c)).Distinct().ToList();
        if (unknown.Count > 0)
        {
            Console.Error.WriteLine($"error: --prime contains characters the model never saw in training: " +
                                    string.Join(" ", unknown.Select(c => $"'{c}'")) + ".");
            return 1;
        }
        Console.WriteLine($"---- sample: {settings.Length} characters, temperature {settings.Temperature}, seed {settings.Seed} ----");
        Console.Write(settings.Prime);
        foreach (string character in model.GenerateCharacters(settings.Prime, settings.Length, settings.Temperature, settings.Seed))
        {
            Console.Write(character);
        }
        Console.WriteLine();
        Console.WriteLine("----");
        return 0;
    }

    /// <summary>
    /// Runs the held-out end of the training text through the saved model, ranks its cells by how well they follow
    /// simple features of the text (strings, comments, nesting depth, line position, indentation), prints the best,
    /// and writes the page that colours the text by them (or by the cells --cells names).
    /// </summary>
    public static int Visualize(Settings settings)
    {
        if (Load(settings) is not { } model)
        {
            return 1;
        }
        var (corpus, corpusName) = ModelBuilder.LoadCorpus(settings.DataPath);
        string text = Excerpt(ModelBuilder.HeldOut(corpus, ModelBuilder.ValidationFraction), model.Vocabulary.ToHashSet());
        if (text.Length < 2)
        {
            Console.Error.WriteLine("error: the held-out text has fewer than 2 characters the model knows; nothing to visualize.");
            return 1;
        }
        var activations = model.Inspect(text);
        var found = CellSearch.Rank(activations, TextFeature.Standard(activations.Characters), top: 3);
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine($"Cells that follow features of {activations.Steps:N0} held-out characters of {corpusName} (Pearson r, top 3):");
        foreach (var group in found.GroupBy(c => c.Feature))
        {
            Console.WriteLine(string.Format(inv, "  {0,-18} {1}", group.Key,
                string.Join(";  ", group.Select(c => string.Format(inv, "{0} r = {1:+0.00;-0.00}", CellPage.Label(c.Kind, c.Layer, c.Unit), c.Correlation)))));
        }
        var shown = settings.Cells.Count > 0
            ? settings.Cells.Select(c => new CellPage.Shown(c.Kind, c.Layer, c.Unit, "chosen with --cells")).ToList()
            : found.GroupBy(c => c.Feature).Select(g => g.First())
                .GroupBy(c => (c.Kind, c.Layer, c.Unit)) // one cell may be the best for several features
                .Select(g => new CellPage.Shown(g.Key.Kind, g.Key.Layer, g.Key.Unit, "Follows " +
                    string.Join(" and ", g.Select(c => string.Format(inv, "{0} best (r = {1:+0.00;-0.00})", c.Feature, c.Correlation))) + "."))
                .ToList();
        foreach (var cell in shown.Where(c => c.Layer >= model.Layers || c.Unit >= model.HiddenSize || !activations.Kinds.Contains(c.Kind)))
        {
            Console.Error.WriteLine($"error: --cells: the model has no {CellPage.Label(cell.Kind, cell.Layer, cell.Unit)} " +
                                    $"({model.Layers} layers of {model.HiddenSize} units; it records {string.Join(", ", activations.Kinds)}).");
            return 1;
        }
        string title = $"Inside {(model.Cell == RecurrentCell.Gru ? "a" : "an")} {model.Cell.ToString().ToUpperInvariant()} {model.Layers} × {model.HiddenSize} character model ({Path.GetFileName(settings.ModelPath)})";
        CellPage.Write(settings.VisualizePath!, title, activations, found, shown);
        Console.WriteLine($"Wrote {settings.VisualizePath}: the text coloured by {shown.Count} cells; open it in a browser.");
        return 0;
    }

    private static CharLanguageModel? Load(Settings settings)
    {
        if (!File.Exists(settings.ModelPath))
        {
            Console.Error.WriteLine($"error: there is no model at '{settings.ModelPath}'. Train one first " +
                                    "(dotnet run --project samples/CharRnn -c Release), or point --model at one.");
            return null;
        }
        return CharLanguageModel.Load(settings.ModelPath);
    }

    /// <summary>Up to <see cref="VisualizedCharacters"/> characters from the first line start, without characters the model does not know.</summary>
    private static string Excerpt(string heldOut, HashSet<string> known)
    {
        int lineStart = heldOut.IndexOf('\n');
        var runes = heldOut[(lineStart >= 0 && lineStart < heldOut.Length - 1 ? lineStart + 1 : 0)..]
            .EnumerateRunes().Select(r => r.ToString()).Where(known.Contains).Take(VisualizedCharacters);
        return string.Concat(runes);
    }
}
