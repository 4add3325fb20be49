using System.Diagnostics;
using Microsoft.ML.Data;

namespace Microsoft.ML.Recurrent.Benchmarks;

/// <summary>
/// How fast a trained tagger tags: the core API in batches (<see cref="SequenceTagger.Tag(IEnumerable{IReadOnlyList{string}})"/>)
/// and one sentence at a time, and the ML.NET chain the estimator builds (ONNX inside OnnxTransformer) through a
/// <c>PredictionEngine</c> and through <c>Transform</c> over the whole set. Sentences per second, medians of 3.
/// </summary>
internal static class TaggingSpeed
{
    public static string Measure(SequenceTagger tagger, IReadOnlyList<TaggedSentence> sentences)
    {
        var tokens = sentences.Select(s => s.Tokens).ToList();
        var single = tokens.Take(1000).ToList();
        var ml = new MLContext(seed: 0);
        var rows = tokens.Select(t => new TokenRow { Tokens = [.. t] }).ToList();
        var view = ml.Data.LoadFromEnumerable(rows);
        var chain = new RecurrentTaggerTransformer(tagger, [.. tagger.Labels], nameof(TokenRow.Tokens), view); // what Fit returns

        var engine = ml.Model.CreatePredictionEngine<TokenRow, PredictionRow>(chain);

        double batch = Median(() => tagger.Tag(tokens), tokens.Count);
        double one = Median(() => { foreach (var s in single) tagger.Tag(s); }, single.Count);
        double prediction = Median(() => { foreach (var r in rows.Take(single.Count)) engine.Predict(r); }, single.Count);
        double transform = Median(() => { foreach (var _ in ml.Data.CreateEnumerable<PredictionRow>(chain.Transform(view), reuseRowObject: true)) { } }, rows.Count);
        return FormattableString.Invariant(
            $"TAGGING core_batch_sentences/s={batch:F0} core_one_by_one_sentences/s={one:F0} prediction_engine_sentences/s={prediction:F0} transform_sentences/s={transform:F0}");
    }

    private static double Median(Action run, int sentences)
    {
        var rates = new double[3];
        for (int i = 0; i < rates.Length; i++)
        {
            var clock = Stopwatch.StartNew();
            run();
            rates[i] = sentences / clock.Elapsed.TotalSeconds;
        }
        Array.Sort(rates);
        return rates[1];
    }

    private sealed class TokenRow
    {
        public string[] Tokens { get; set; } = [];
    }

    private sealed class PredictionRow
    {
        [ColumnName("PredictedLabels")]
        public uint[] PredictedLabels { get; set; } = [];
    }
}
