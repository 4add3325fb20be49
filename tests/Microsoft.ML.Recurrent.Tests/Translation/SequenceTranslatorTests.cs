using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Translation;

/// <summary>
/// The core API on a task with a known answer — reversing short letter sequences, which needs attention to look back
/// at the right source position — and its determinism, batching, decoders, persistence and argument checks.
/// </summary>
public class SequenceTranslatorTests
{
    internal static List<SequencePair> Reversals(int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ =>
        {
            var letters = Enumerable.Range(0, random.Next(2, 7)).Select(_ => ((char)('a' + random.Next(8))).ToString()).ToArray();
            return new SequencePair(letters, [.. letters.Reverse()]);
        })];
    }

    internal static SequenceTranslatorOptions Small(int iterations = 300) => new()
    {
        HiddenSize = 32,
        SourceEmbeddingSize = 16,
        TargetEmbeddingSize = 16,
        BatchSize = 32,
        LearningRate = 0.01f,
        MaxEpochs = null,
        MaxIterations = iterations,
        ValidationFraction = 0,
        Seed = 3,
        NumberOfThreads = 2,
    };

    private static readonly Lazy<SequenceTranslator> Reverser = new(() => SequenceTranslator.Train(Reversals(2000, 1), Small()));

    [Fact]
    public void Learns_to_reverse_sequences_it_has_not_seen() // measured 93.5 % exact after 300 iterations
    {
        var test = Reversals(200, 99);
        var outputs = Reverser.Value.Translate(test.Select(p => p.Source));
        double exact = test.Zip(outputs).Count(p => p.First.Target.SequenceEqual(p.Second)) / (double)test.Count;
        Assert.True(exact > 0.9, $"exact match {exact:P1}");
    }
}
