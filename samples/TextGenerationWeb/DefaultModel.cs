using System.Diagnostics;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Recurrent;

namespace TextGenerationWeb;

/// <summary>
/// Makes sure a fresh clone has a model to serve: when none exists, trains a small one (for a bounded time) on this
/// repository's C# source, embedded in the sample, and saves it as an ML.NET zip.
/// </summary>
public static class DefaultModel
{
    private const string CorpusPrefix = "TextGenerationWeb.Corpus/";

    /// <summary>Trains and saves the default model at <paramref name="path"/> unless a file is already there.</summary>
    public static void EnsureExists(string path, double seconds, ILogger logger)
    {
        if (File.Exists(path)) return;
        if (seconds <= 0) throw new FileNotFoundException($"The model file '{path}' does not exist (and training a default model is off).", path);
        string corpus = Corpus();
        logger.LogInformation("No model at {Path}: training a small default model for {Seconds:0} s on this repository's C# source ({Characters:N0} characters).",
            path, seconds, corpus.Length);
        var clock = Stopwatch.StartNew();
        var model = CharLanguageModel.Train(corpus, new CharLanguageModelOptions
        {
            Cell = RecurrentCell.Gru,
            HiddenSize = 128,
            Layers = 1,
            TimeBudget = TimeSpan.FromSeconds(seconds),
            ValidationFraction = 0,
        });

        var ml = new MLContext(seed: 0);
        var schema = ml.Data.LoadFromEnumerable(new[] { new SentimentInput() }).Schema;
        var transformer = new CharLanguageModelTransformer(model, "Generated", nameof(SentimentInput.Text), maxLength: 200, temperature: 0.8f);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // Written beside the target and renamed, so the file watcher never sees a half-written zip.
        string temporary = path + ".tmp";
        ml.Model.Save(transformer, schema, temporary);
        File.Move(temporary, path, overwrite: true);
        logger.LogInformation("Trained the default model in {Seconds:0} s ({Parameters:N0} parameters) and saved it to {Path}.",
            clock.Elapsed.TotalSeconds, model.ParameterCount, path);
    }

    private static string Corpus()
    {
        var assembly = typeof(DefaultModel).Assembly;
        var text = new StringBuilder();
        foreach (string name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(CorpusPrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!, Encoding.UTF8);
            text.Append(reader.ReadToEnd().ReplaceLineEndings("\n")).Append('\n');
        }
        return text.ToString();
    }
}
