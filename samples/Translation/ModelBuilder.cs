using System.Diagnostics;
using Microsoft.ML.Recurrent;

namespace Translation;

/// <summary>Trains the translator with progress on the console, scores it on the test items, shows a few translations and saves it.</summary>
public static class ModelBuilder
{
    /// <summary>
    /// Validations per epoch: several, so that progress shows within minutes on the larger data sets (an epoch of
    /// CMUdict takes longer than the default budget on 2 cores); the patience is scaled to keep its meaning in epochs.
    /// </summary>
    private const int EvaluationsPerEpoch = 5;

    /// <summary>Trains, evaluates, prints <paramref name="examples"/> translated, saves; returns the examples' outputs.</summary>
    public static IReadOnlyList<string[]> TrainEvaluateSave(Settings settings, List<ReferenceSet> train, List<ReferenceSet> valid,
        List<ReferenceSet> test, List<ReferenceSet> examples)
    {
        var pairs = SequenceCorpora.Pairs(train);
        Console.WriteLine($"{train.Count:N0} training sources ({pairs.Count:N0} pairs, {pairs.Sum(p => p.Target.Count):N0} target tokens), " +
                          $"{valid.Count:N0} validation and {test.Count:N0} test sources.");
        // g2p trains at the library's defaults (tuned on CMUdict); word-level de-en with the reference's 128-wide embeddings,
        // keeping the weights whose greedy translations of the validation sentences score the best BLEU.
        var options = settings.IsG2p ? new SequenceTranslatorOptions() : new SequenceTranslatorOptions
        {
            SourceEmbeddingSize = 128,
            TargetEmbeddingSize = 128,
            ValidationMetric = TranslationValidationMetric.Bleu,
        };
        options.EvaluateEvery = Math.Max(1, (pairs.Count + options.BatchSize - 1) / options.BatchSize / EvaluationsPerEpoch);
        options.Patience *= EvaluationsPerEpoch;
        options.TimeBudget = settings.Budget;
        options.Seed = settings.Seed;
        options.CheckpointPath = settings.CheckpointPath;
        // A live status line on a terminal, a line per evaluation; whole lines when redirected.
        using var progress = new ConsoleTrainingProgress(unit: "tokens/s") { CheckpointPath = settings.CheckpointPath };
        options.Progress = progress;
        Console.WriteLine($"Training a bi-{options.Cell.ToString().ToUpperInvariant()} encoder–decoder with {options.Attention} attention, " +
                          $"{options.HiddenSize} units, for up to {settings.Budget.TotalMinutes:0.#} min or {options.MaxEpochs} epochs.");
        Console.WriteLine(ConsoleStopRequest.Explanation(settings.CheckpointPath));

        var clock = Stopwatch.StartNew();
        var (translator, stopped) = ConsoleStopRequest.Run(progress, stop =>
        {
            options.StopToken = stop;
            return SequenceTranslator.Train(pairs, options, valid.Count > 0 ? SequenceCorpora.Pairs(valid) : null);
        });
        Console.WriteLine($"{(stopped ? "Stopped by Ctrl+C" : "Trained")} in {clock.Elapsed.TotalSeconds:F0} s; " +
                          $"vocabularies of {translator.SourceTokens.Count:N0} source and {translator.TargetTokens.Count:N0} target tokens.");

        if (test.Count > 0)
        {
            clock.Restart();
            var m = translator.Evaluate(SequenceCorpora.Pairs(test), settings.Decoding);
            string decoding = settings.Beam == 1 ? "greedy" : $"beam {settings.Beam}";
            Console.WriteLine(settings.IsG2p
                ? $"Test ({m.Count:N0} words, {decoding}): WER {m.SequenceErrorRate:P2}, PER {m.TokenErrorRate:P2} ({clock.Elapsed.TotalSeconds:F1} s to decode)."
                : $"Test ({m.Count:N0} sentences, {decoding}): BLEU-4 {m.Bleu * 100:F2} (BLEU-1 {m.Bleu1 * 100:F1}), exact match {m.ExactMatch:P1} " +
                  $"({clock.Elapsed.TotalSeconds:F1} s to decode).");
        }
        var outputs = translator.Translate(examples.Select(e => (IReadOnlyList<string>)e.Source), settings.Decoding);
        Console.WriteLine();
        Console.WriteLine("Held-out examples:");
        HeldOut.Print(examples, outputs, settings);

        translator.Save(settings.ModelPath);
        Console.WriteLine($"Saved the model to {settings.ModelPath}.");
        return outputs;
    }
}
