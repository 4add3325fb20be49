using Microsoft.ML.Recurrent;

namespace Translation;

/// <summary>Loads the saved translator and uses it: the held-out examples again, and words typed or piped in.</summary>
public static class ConsumeModel
{
    /// <summary>The translator saved at <paramref name="modelPath"/>.</summary>
    public static SequenceTranslator Load(string modelPath)
    {
        var translator = SequenceTranslator.Load(modelPath);
        Console.WriteLine($"Loaded {modelPath}: {translator.SourceTokens.Count:N0} source and {translator.TargetTokens.Count:N0} target tokens.");
        return translator;
    }

    /// <summary>The outputs for <paramref name="examples"/>' sources.</summary>
    public static IReadOnlyList<string[]> Translate(SequenceTranslator translator, IEnumerable<ReferenceSet> examples, Settings settings)
        => translator.Translate(examples.Select(e => (IReadOnlyList<string>)e.Source), settings.Decoding);

    /// <summary>
    /// Prints the phones of every word read from <paramref name="input"/>, one a line, until its end (or, typed in,
    /// an empty line). Letters training never saw read as the unknown token; the model still answers.
    /// </summary>
    public static void Pronounce(SequenceTranslator translator, Settings settings, TextReader input, bool interactive)
    {
        if (interactive) Console.WriteLine("Type a word to get its phones (an empty line or Ctrl+D ends).");
        while (true)
        {
            if (interactive) Console.Write("word> ");
            string? line = input.ReadLine();
            if (line is null || (interactive && line.Length == 0)) return;
            string[] word = settings.Tokenize(line);
            if (word.Length == 0) continue;
            if (word.Length > translator.Options.MaxSourceLength)
            {
                Console.WriteLine($"  (longer than the {translator.Options.MaxSourceLength} characters the model reads)");
                continue;
            }
            Console.WriteLine($"{settings.Show(word)}  {string.Join(' ', translator.Translate(word, settings.Decoding))}");
        }
    }
}
