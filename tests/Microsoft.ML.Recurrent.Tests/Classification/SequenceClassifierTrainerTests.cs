using Microsoft.ML.Recurrent.Classification;
using Microsoft.ML.Recurrent.Layers;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Classification;

/// <summary>The trainer without ML.NET: determinism, class weighting, and the dataset's checks.</summary>
public sealed class SequenceClassifierTrainerTests
{
    private static readonly SequenceClassifierOptions s_small = new()
    {
        EmbeddingSize = 8,
        HiddenSize = 8,
        MaxEpochs = 3,
        BatchSize = 8,
        ValidationFraction = 0.2,
        Seed = 5,
    };

    // Token sequences whose label says nothing about them, 90% class 0.
    private static SequenceDataset Imbalanced()
    {
        var random = new Random(1);
        var tokens = Enumerable.Range(0, 200).Select(_ => Enumerable.Range(0, random.Next(1, 6)).Select(_ => random.Next(1, 10)).ToArray()).ToArray();
        var labels = Enumerable.Range(0, 200).Select(i => i % 10 == 0 ? 1 : 0).ToArray();
        return SequenceDataset.FromTokens(tokens, 10, labels, 2);
    }

    [Fact]
    public void The_same_seed_gives_the_same_weights()
    {
        var a = SequenceClassifierTrainer.Train(Imbalanced(), s_small);
        var b = SequenceClassifierTrainer.Train(Imbalanced(), s_small);
        Assert.Equal(a.Parameters.Values, b.Parameters.Values);
        Assert.Equal(a.Ngrams!.Table, b.Ngrams!.Table);
        Assert.Equal(a.Ngrams.Scale, b.Ngrams.Scale);
    }

    [Fact]
    public void Balanced_class_weights_raise_the_minority_class_probability()
    {
        double MeanMinorityProbability(ClassWeighting weighting)
        {
            var data = Imbalanced();
            var o = new SequenceClassifierOptions { EmbeddingSize = 8, HiddenSize = 8, MaxEpochs = 5, BatchSize = 8, ValidationFraction = 0, Seed = 5, ClassWeighting = weighting };
            var net = SequenceClassifierTrainer.Train(data, o);
            var batcher = new SequenceBatcher(net, data);
            double sum = 0;
            for (int i = 0; i < data.Count; i++)
            {
                var ws = batcher.Forward([i], null);
                sum += 1 / (1 + Math.Exp(ws.Logits[0] - ws.Logits[1]));
            }
            return sum / data.Count;
        }
        double plain = MeanMinorityProbability(ClassWeighting.None), balanced = MeanMinorityProbability(ClassWeighting.Balanced);
        Assert.True(plain < 0.2 && balanced > 0.25, $"mean P(minority): unweighted {plain:F3}, balanced {balanced:F3}");
    }

    [Fact]
    public void Word_dropout_trains_the_unknown_tokens_embedding()
    {
        // Token 0 never occurs in the data: only word dropout shows it to the model.
        float[] UnknownRow(int epochs, float wordDropout)
        {
            var o = new SequenceClassifierOptions { EmbeddingSize = 8, HiddenSize = 8, MaxEpochs = epochs, BatchSize = 8, ValidationFraction = 0, Seed = 5, WordDropout = wordDropout };
            return SequenceClassifierTrainer.Train(Imbalanced(), o).Embedding!.Weight.Value[..8].ToArray();
        }
        Assert.Equal(UnknownRow(1, 0f), UnknownRow(2, 0f));
        Assert.NotEqual(UnknownRow(1, 0f), UnknownRow(1, 0.3f));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.25)]
    public void Ngram_evidence_is_weighted_in_with_or_without_validation_rows(double validationFraction)
    {
        // The label is whether the bigram (3, 4) occurs; the network sees too little to learn it in one epoch, the
        // bigram counts see it at once.
        var random = new Random(2);
        var tokens = Enumerable.Range(0, 400).Select(i =>
        {
            var s = Enumerable.Range(0, random.Next(3, 8)).Select(_ => random.Next(1, 9)).ToArray();
            if (i % 2 == 0) (s[0], s[1]) = (3, 4);
            else for (int t = 1; t < s.Length; t++) if (s[t - 1] == 3 && s[t] == 4) s[t] = 5;
            return s;
        }).ToArray();
        var data = SequenceDataset.FromTokens(tokens, 10, [.. Enumerable.Range(0, 400).Select(i => 1 - i % 2)], 2);
        var o = new SequenceClassifierOptions { EmbeddingSize = 4, HiddenSize = 4, MaxEpochs = 1, BatchSize = 16, ValidationFraction = validationFraction, Seed = 3 };
        var net = SequenceClassifierTrainer.Train(data, o);
        Assert.True(net.Ngrams!.Scale > 0.5f, $"naive Bayes weight {net.Ngrams.Scale}");
        var batcher = new SequenceBatcher(net, data);
        Assert.True(SequenceClassifierTrainer.Evaluate(batcher, [.. Enumerable.Range(0, 400)], 16).Accuracy > 0.95);
        var off = SequenceClassifierTrainer.Train(data, new SequenceClassifierOptions
        {
            EmbeddingSize = 4,
            HiddenSize = 4,
            MaxEpochs = 1,
            BatchSize = 16,
            ValidationFraction = validationFraction,
            Seed = 3,
            NgramLength = 0,
        });
        Assert.Null(off.Ngrams);
        Assert.True(SequenceClassifierTrainer.Evaluate(new SequenceBatcher(off, data), [.. Enumerable.Range(0, 400)], 16).Accuracy < 0.9);
    }

    [Fact]
    public void Out_of_range_ngram_options_are_named()
    {
        var data = Imbalanced();
        Assert.Equal("NgramLength", Assert.Throws<ArgumentOutOfRangeException>(() => SequenceClassifierTrainer.Train(data, new SequenceClassifierOptions { NgramLength = -1 })).ParamName);
        Assert.Equal("NgramBuckets", Assert.Throws<ArgumentOutOfRangeException>(() => SequenceClassifierTrainer.Train(data, new SequenceClassifierOptions { NgramBuckets = 0 })).ParamName);
        Assert.Equal("NgramBuckets", Assert.Throws<ArgumentOutOfRangeException>(() => SequenceClassifierTrainer.Train(data, new SequenceClassifierOptions { NgramBuckets = (1 << 24) + 1 })).ParamName);
    }

    [Fact]
    public void Bad_rows_are_rejected_when_the_dataset_is_built()
    {
        Assert.Throws<ArgumentException>(() => SequenceDataset.FromTokens([[]], 5, [0], 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => SequenceDataset.FromTokens([[7]], 5, [0], 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => SequenceDataset.FromTokens([[1]], 5, [2], 2));
        Assert.Throws<ArgumentException>(() => SequenceDataset.FromFeatures([[1f, float.NaN]], 2, [0], 2));
        var single = SequenceDataset.FromTokens([[1], [2]], 5, [1, 1], 2);
        Assert.Contains("single class", Assert.Throws<InvalidOperationException>(() => SequenceClassifierTrainer.Train(single, s_small)).Message);
    }
}
