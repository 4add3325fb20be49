using Microsoft.ML.Recurrent.Training;
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
