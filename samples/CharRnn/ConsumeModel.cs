using Microsoft.ML.Recurrent;

namespace CharRnn;

/// <summary>Loads a saved model and generates text from it, printing characters as they are sampled.</summary>
internal static class ConsumeModel
{
    public static int LoadAndGenerate(Settings settings)
    {
        if (!File.Exists(settings.ModelPath))
        {
            Console.Error.WriteLine($"error: there is no model at '{settings.ModelPath}'. Train one first " +
                                    "(dotnet run --project samples/CharRnn -c Release), or point --model at one.");
            return 1;
        }
        var model = CharLanguageModel.Load(settings.ModelPath);
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
}
