using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Tagging;

/// <summary>
/// The core tagger API on the synthetic language of <see cref="TaggerTestData"/>: it learns context and spelling,
/// tags words it never saw by their characters, saves and loads to the same tags, trains deterministically, and
/// refuses bad input with errors that name the problem.
/// </summary>
public class SequenceTaggerTests
{
    private static SequenceTaggerOptions Small(int characters = 8) => new()
    {
        EmbeddingSize = 16,
        CharacterEmbeddingSize = characters,
        CharacterHiddenSize = 8,
        HiddenSize = 24,
        MaxEpochs = 4,
        Patience = null,
        LearningRate = 0.01f,
        Seed = 3,
        NumberOfThreads = 1,
    };

    private static readonly Lazy<SequenceTagger> Trained = new(() => SequenceTagger.Train(TaggerTestData.Sentences(600, seed: 1), Small()));

    [Fact]
    public void Learns_context_and_tags_unseen_words_by_their_spelling()
    {
        var tagger = Trained.Value;
        var seenWords = TaggerTestData.Sentences(200, seed: 2);
        var unseenWords = TaggerTestData.Sentences(200, seed: 3, stemSeed: 7); // other stems: content words never seen
        double seen = TaggerTestData.Accuracy(tagger, seenWords), unseen = TaggerTestData.Accuracy(tagger, unseenWords);
        Assert.True(seen > 0.99, $"accuracy on seen words {seen:P2}"); // measured 100 %
        Assert.True(unseen > 0.99, $"accuracy on unseen words {unseen:P2}"); // measured 100 %
        // "run" is a noun only right after a determiner
        Assert.Equal(["DET", "N", "V", "DET", "N", "ADJ", "V"], tagger.Tag(["the", "run", "run", "a", "run", "zokiifous", "run"]));
    }

    [Fact]
    public void Without_character_features_unseen_words_are_guesses()
    {
        var tagger = SequenceTagger.Train(TaggerTestData.Sentences(600, seed: 1), Small(characters: 0));
        double unseen = TaggerTestData.Accuracy(tagger, TaggerTestData.Sentences(200, seed: 3, stemSeed: 7));
        Assert.True(unseen < 0.7, $"accuracy on unseen words without characters {unseen:P2}"); // measured 59.4 %
    }

    [Fact]
    public void Saved_and_loaded_taggers_give_the_same_tags_and_scores()
    {
        var tagger = Trained.Value;
        var sentences = TaggerTestData.Sentences(50, seed: 4, stemSeed: 9).Select(s => s.Tokens).ToList();
        var stream = new MemoryStream();
        tagger.Save(stream);
        stream.Position = 0;
        var fromStream = SequenceTagger.Load(stream);
        string path = Path.Combine(Path.GetTempPath(), $"tagger-{Guid.NewGuid():N}.bin");
        try
        {
            tagger.Save(path);
            var fromFile = SequenceTagger.Load(path);
            Assert.Equal(tagger.Tag(sentences), fromStream.Tag(sentences));
            Assert.Equal(tagger.Tag(sentences), fromFile.Tag(sentences));
            Assert.Equal(tagger.Network.Parameters.Values, fromFile.Network.Parameters.Values);
            Assert.Equal(tagger.Labels, fromFile.Labels);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)] // two shards, each with its own replica
    public void The_same_seed_gives_the_same_weights(int threads)
    {
        var data = TaggerTestData.Sentences(120, seed: 5);
        var o = Small();
        o.MaxEpochs = 1;
        o.NumberOfThreads = threads;
        o.Dropout = o.EmbeddingDropout = 0.3f;
        var a = SequenceTagger.Train(data, o);
        var b = SequenceTagger.Train(data, o);
        Assert.Equal(a.Network.Parameters.Values, b.Network.Parameters.Values);
        o.Seed = 4;
        Assert.NotEqual(a.Network.Parameters.Values, SequenceTagger.Train(data, o).Network.Parameters.Values);
    }

    [Fact]
    public void Two_shards_compute_the_gradient_of_one()
    {
        // dropout and word dropout on: their masks follow each sentence's place in the batch, not the shard
        var data = TaggerTestData.Sentences(120, seed: 5);
        SequenceTaggerOptions Options(int threads)
        {
            var o = Small();
            o.MaxEpochs = null;
            o.MaxIterations = 3;
            o.NumberOfThreads = threads;
            o.Dropout = o.EmbeddingDropout = 0.3f;
            o.WordDropout = 0.2f;
            return o;
        }
        var one = SequenceTagger.Train(data, Options(1)).Network.Parameters.Values;
        var two = SequenceTagger.Train(data, Options(2)).Network.Parameters.Values;
        for (int i = 0; i < one.Length; i++) Assert.Equal(one[i], two[i], 4); // only the summation order differs
    }

    [Fact]
    public void Tagging_one_by_one_or_in_a_batch_gives_the_same_tags_and_empty_sentences_get_none()
    {
        var tagger = Trained.Value;
        var sentences = TaggerTestData.Sentences(30, seed: 6, stemSeed: 9).Select(s => s.Tokens).ToList();
        var batched = tagger.Tag(sentences.Append([]));
        for (int i = 0; i < sentences.Count; i++) Assert.Equal(tagger.Tag(sentences[i]), batched[i]);
        Assert.Empty(batched[^1]);
    }

    [Fact]
    public void Validation_labels_never_seen_in_training_count_as_wrong_instead_of_failing()
    {
        var training = TaggerTestData.Sentences(100, seed: 1);
        var validation = new List<TaggedSentence> { new(["the", "zzz"], ["DET", "NEVER-SEEN"]) };
        var o = Small();
        o.MaxEpochs = 1;
        var tagger = SequenceTagger.Train(training, o, validation);
        Assert.DoesNotContain("NEVER-SEEN", tagger.Labels);
    }

    [Fact]
    public void Bad_input_gets_errors_that_name_the_problem()
    {
        var o = Small();
        Assert.Contains("one label per token", Assert.Throws<ArgumentException>(() => new TaggedSentence(["a", "b"], ["X"])).Message);
        var empty = new List<TaggedSentence> { new(["the", "run"], ["DET", "N"]), new([], []) };
        Assert.Contains("Sentence 1 is empty", Assert.Throws<ArgumentException>(() => SequenceTagger.Train(empty, o)).Message);
        var single = new List<TaggedSentence> { new(["the", "a"], ["DET", "DET"]) };
        Assert.Contains("at least two labels", Assert.Throws<ArgumentException>(() => SequenceTagger.Train(single, o)).Message);
        Assert.Contains("LearningRate", Assert.Throws<ArgumentOutOfRangeException>(() => SequenceTagger.Train(single, new SequenceTaggerOptions { LearningRate = float.NaN })).Message);
        Assert.Contains("WordDropout", Assert.Throws<ArgumentOutOfRangeException>(() => SequenceTagger.Train(single, new SequenceTaggerOptions { WordDropout = 1f })).Message);
        Assert.Contains("Token 1 of sentence 0", Assert.Throws<ArgumentException>(() => Trained.Value.Tag([(IReadOnlyList<string>)["the", ""]])).Message);

        var stream = new MemoryStream();
        Trained.Value.Save(stream);
        var bytes = stream.ToArray();
        bytes[bytes.Length / 2] ^= 0x40;
        Assert.Throws<InvalidDataException>(() => SequenceTagger.Load(new MemoryStream(bytes)));
        Assert.Contains("sequence tagger", Assert.Throws<InvalidDataException>(() => SequenceTagger.Load(new MemoryStream(new byte[64]))).Message);
    }
}
