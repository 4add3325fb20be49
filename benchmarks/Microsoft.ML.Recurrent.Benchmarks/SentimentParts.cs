using Microsoft.ML.Recurrent.Classification;

namespace Microsoft.ML.Recurrent.Benchmarks;

/// <summary>
/// <c>--mode sentiment --parts</c>: per fold, the words of ML.NET's tokenizer and key mapping (as in the pipeline) go
/// to the core trainer, and the one trained classifier is scored three ways on the test fold: its recurrent network
/// alone (the n-gram weight set to 0; the network keeps the weight and class offsets the stacking fitted), the naive
/// Bayes evidence alone, and both (what the ML.NET transformer computes). Prints mean ± std accuracy of each.
/// </summary>
internal static class SentimentParts
{
    public static int Run((string Text, bool Label, int Fold)[] rows, int folds, int parallel, SequenceClassifierOptions options)
    {
        var accuracies = new (double Network, double Evidence, double Both)[folds];
        Parallel.For(0, folds, new ParallelOptions { MaxDegreeOfParallelism = parallel }, f =>
        {
            var ml = new MLContext(seed: f);
            var train = rows.Where(r => r.Fold != f).ToArray();
            var test = rows.Where(r => r.Fold == f).ToArray();
            var tokenizer = ml.Transforms.Text.TokenizeIntoWords("Words", "Text").Append(ml.Transforms.Conversion.MapValueToKey("Tokens", "Words"))
                .Fit(View(ml, train));
            SequenceDataset Read((string Text, bool Label, int Fold)[] part)
            {
                var keyed = tokenizer.Transform(View(ml, part));
                var kind = ClassifierColumns.Describe(keyed.Schema, "Tokens", 0);
                return ClassifierColumns.Read(keyed, "Tokens", "Label", kind, binary: true, classes: 2);
            }
            var network = SequenceClassifierTrainer.Train(Read(train), options);
            var data = Read(test);
            var batcher = new SequenceBatcher(network, data);
            int[] all = [.. Enumerable.Range(0, data.Count)];
            double both = SequenceClassifierTrainer.Evaluate(batcher, all, options.BatchSize).Accuracy;
            var bag = network.Ngrams ?? throw new InvalidOperationException("--parts needs the n-gram evidence (NgramLength > 0).");
            float beta = bag.Scale;
            bag.Scale = 0;
            double alone = SequenceClassifierTrainer.Evaluate(batcher, all, options.BatchSize).Accuracy;
            bag.Scale = beta;
            var s = new float[2];
            int correct = 0;
            for (int i = 0; i < data.Count; i++)
            {
                bag.Evidence(data.Tokens![i], [data.Tokens[i].Length], s);
                if ((s[1] > s[0] ? 1 : 0) == data.Labels[i]) correct++;
            }
            accuracies[f] = (alone, (double)correct / data.Count, both);
            Console.WriteLine($"fold {f}: network alone {alone:P2}, naive Bayes evidence alone {accuracies[f].Evidence:P2}, stacked {both:P2}");
        });
        Print("network alone", accuracies.Select(a => a.Network));
        Print("naive Bayes n-gram evidence alone", accuracies.Select(a => a.Evidence));
        Print("stacked (the classifier)", accuracies.Select(a => a.Both));
        return 0;
    }

    private static IDataView View(MLContext ml, (string Text, bool Label, int Fold)[] rows)
        => ml.Data.LoadFromEnumerable(rows.Select(r => new Row { Text = r.Text, Label = r.Label }));

    private static void Print(string name, IEnumerable<double> values)
    {
        var (mean, std) = FoldStatistics.MeanStd([.. values]);
        Console.WriteLine($"RESULT parts {name}: accuracy {100 * mean:F2} ± {100 * std:F2} %");
    }

    private sealed class Row
    {
        public string Text { get; set; } = "";
        public bool Label { get; set; }
    }
}
