using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Persistence;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Translation;

/// <summary>
/// The core API's answers to bad input — empty, too long or null rows, unknown tokens, options and decoding settings
/// out of range, corrupt model files — and the promises the sample relies on: a saved model translates as the one in
/// memory, training is reproducible, batching does not change outputs. Tiny models trained for a few iterations.
/// </summary>
public class SequenceTranslatorInputTests
{
    private static readonly Lazy<SequenceTranslator> Tiny = new(() => Train(seed: 3));
    private static readonly TranslationDecoding Beam = new() { BeamSize = 3 };

    private static SequenceTranslator Train(int seed) => SequenceTranslator.Train(SequenceTranslatorTests.Reversals(200, 1), Options(seed));

    private static SequenceTranslatorOptions Options(int seed = 3)
    {
        var o = SequenceTranslatorTests.Small(iterations: 12);
        o.Seed = seed;
        o.Dropout = 0.1f; // so that determinism covers the dropout masks too
        return o;
    }

    private static List<SequencePair> WithRow(IReadOnlyList<string>? source, IReadOnlyList<string>? target)
        => [new(["a", "b"], ["b", "a"]), new(source!, target!)];

    private static ArgumentException TrainThrows(List<SequencePair> pairs, SequenceTranslatorOptions? options = null)
        => Assert.ThrowsAny<ArgumentException>(() => SequenceTranslator.Train(pairs, options ?? Options()));

    [Fact]
    public void EmptyRowsAreRejectedNamingThePairAndTheSide()
    {
        var e = TrainThrows(WithRow([], ["a"]));
        Assert.Equal("training", e.ParamName);
        Assert.Contains("The source of pair 1 is empty.", e.Message);
        Assert.Contains("The target of pair 1 is empty.", TrainThrows(WithRow(["a"], [])).Message);
        Assert.Contains("The target of pair 1 is null.", TrainThrows(WithRow(["a"], null)).Message);
        Assert.Contains("Pair 1 is null.", TrainThrows([new(["a"], ["a"]), null!]).Message);
        Assert.Contains("There are no pairs to evaluate.", Assert.Throws<ArgumentException>(() => Tiny.Value.Evaluate([])).Message);
        Assert.Throws<ArgumentNullException>(() => SequenceTranslator.Train(null!, Options()));
    }

    [Fact]
    public void EmptyValidationRowsAreRejectedNamingTheValidationSet()
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => SequenceTranslator.Train(WithRow(["a"], ["a"]), Options(), WithRow(["b"], [])));
        Assert.Equal("validation", e.ParamName);
        Assert.Contains("The target of pair 1 is empty.", e.Message);
    }

    [Fact]
    public void ATargetOrSourceLongerThanTheLimitIsRejectedNamingTheOption()
    {
        var options = Options();
        options.MaxTargetLength = 3;
        Assert.Contains("The target of pair 1 has 4 tokens, more than MaxTargetLength (3).", TrainThrows(WithRow(["a"], ["a", "b", "c", "d"]), options).Message);
        options = Options();
        options.MaxSourceLength = 2;
        Assert.Contains("The source of pair 1 has 3 tokens, more than MaxSourceLength (2).", TrainThrows(WithRow(["a", "b", "c"], ["a"]), options).Message);

        // Translation holds sources to the model's MaxSourceLength (200 in Small), and accepts targets of any length to score.
        var tooLong = Enumerable.Repeat("a", 201).ToArray();
        Assert.Contains("more than MaxSourceLength (200)", Assert.Throws<ArgumentException>(() => Tiny.Value.Translate(tooLong)).Message);
        Assert.Equal(1, Tiny.Value.Evaluate([new(["a", "b"], Enumerable.Repeat("a", 300).ToArray())]).Count);
    }

    [Fact]
    public void NullOrEmptyTokensAreRejectedNamingTheirPosition()
    {
        Assert.Contains("Token 1 of the source of pair 1 is null or empty.", TrainThrows(WithRow(["a", null!], ["a"])).Message);
        Assert.Contains("Token 0 of the target of pair 1 is null or empty.", TrainThrows(WithRow(["a"], [""])).Message);
        Assert.Contains("Token 2 of the source of pair 0 is null or empty.", Assert.Throws<ArgumentException>(() => Tiny.Value.Translate(["a", "b", null!])).Message);
        Assert.Contains("The source of pair 1 is empty.", Assert.Throws<ArgumentException>(() => Tiny.Value.Translate([["a"], []])).Message);
        Assert.Throws<ArgumentNullException>(() => Tiny.Value.Translate((IEnumerable<IReadOnlyList<string>>)null!));
    }

    [Fact]
    public void TokensNeverSeenInTrainingReadAsTheUnknownTokenAndStillTranslate()
    {
        var model = Tiny.Value;
        Assert.DoesNotContain("zebra", model.SourceTokens);
        // The documented behaviour: an unseen source token reads as the unknown token, exactly as any other unseen token does.
        var unseen = model.Translate(["a", "zebra", "b"]);
        Assert.NotEmpty(unseen);
        Assert.Equal(unseen, model.Translate(["a", "giraffe", "b"]));
        Assert.All(unseen, t => Assert.True(model.TargetTokens.Contains(t) || t == "<unk>", t));
        Assert.All(model.Translate(["zebra"], Beam), t => Assert.True(model.TargetTokens.Contains(t) || t == "<unk>", t));
    }

    [Fact]
    public void TargetTokensBelowMinTokenCountAreOutputAsTheUnknownToken()
    {
        // "z" occurs once as a target, below MinTokenCount 2: it is not kept, and its pair trains the unknown token instead.
        var pairs = Enumerable.Range(0, 64).Select(i => new SequencePair(["a"], [i == 0 ? "z" : "b"])).ToList();
        var options = Options();
        options.MinTokenCount = 2;
        var model = SequenceTranslator.Train(pairs, options);
        Assert.Equal(["b"], model.TargetTokens);
        Assert.Equal(["a"], model.SourceTokens);
    }

    public static TheoryData<string, Action<SequenceTranslatorOptions>> BadOptions => new()
    {
        { "LearningRate", o => o.LearningRate = float.NaN },
        { "LearningRate", o => o.LearningRate = 0 },
        { "Dropout", o => o.Dropout = 1 },
        { "Dropout", o => o.Dropout = float.NaN },
        { "HiddenSize", o => o.HiddenSize = 0 },
        { "SourceEmbeddingSize", o => o.SourceEmbeddingSize = 0 },
        { "TargetEmbeddingSize", o => o.TargetEmbeddingSize = StackShape.MaxWidth + 1 },
        { "AttentionSize", o => o.AttentionSize = 0 },
        { "Attention", o => o.Attention = (AttentionScore)99 },
        { "ValidationMetric", o => o.ValidationMetric = (TranslationValidationMetric)99 },
        { "MinTokenCount", o => o.MinTokenCount = 0 },
        { "MaxSourceLength", o => o.MaxSourceLength = 0 },
        { "MaxTargetLength", o => o.MaxTargetLength = (1 << 16) + 1 },
        { "MaxEpochs", o => o.MaxEpochs = double.NaN },
        { "MaxGradientNorm", o => o.MaxGradientNorm = float.PositiveInfinity },
        { "ValidationFraction", o => o.ValidationFraction = double.NaN },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void OptionsOutOfRangeAreRejectedNamingTheOption(string name, Action<SequenceTranslatorOptions> spoil)
    {
        var options = Options();
        spoil(options);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => SequenceTranslator.Train(WithRow(["a"], ["a"]), options));
        Assert.Equal(name, e.ParamName);
        Assert.StartsWith(name + " ", e.Message);
    }

    [Fact]
    public void IncompatibleArchitectureOptionsAreRejectedSayingWhatToChange()
    {
        var options = Options();
        options.TieEmbeddings = true; // AttentionSize defaults to HiddenSize 32, the target embedding is 16 wide
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => SequenceTranslator.Train(WithRow(["a"], ["a"]), options));
        Assert.Equal("TieEmbeddings", e.ParamName);
        Assert.Contains("needs AttentionSize (32) equal to TargetEmbeddingSize (16)", e.Message);
        options.AttentionSize = 16;
        Assert.Contains("a", SequenceTranslator.Train(WithRow(["a"], ["a"]), options).SourceTokens);

        options = Options();
        options.Attention = AttentionScore.Dot; // Bidirectional by default: encoder outputs 64 wide against a 32-wide decoder state
        e = Assert.Throws<ArgumentOutOfRangeException>(() => SequenceTranslator.Train(WithRow(["a"], ["a"]), options));
        Assert.Equal("Attention", e.ParamName);
        Assert.Contains("set Bidirectional to false", e.Message);
        options.Bidirectional = false;
        Assert.NotNull(SequenceTranslator.Train(WithRow(["a"], ["a"]), options));
    }

    public static TheoryData<string, TranslationDecoding> BadDecodings => new()
    {
        { "BeamSize", new() { BeamSize = 0 } },
        { "BeamSize", new() { BeamSize = 1025 } },
        { "Temperature", new() { Temperature = float.NaN } },
        { "Temperature", new() { Temperature = -1 } },
        { "Temperature", new() { Temperature = float.PositiveInfinity } },
        { "Temperature", new() { Temperature = 0.5f, BeamSize = 2 } },
        { "MaxLengthRatio", new() { MaxLengthRatio = double.NaN } },
        { "MaxLengthRatio", new() { MaxLengthRatio = -0.5 } },
        { "MaxLengthSlack", new() { MaxLengthSlack = -1 } },
        { "MaxLengthSlack", new() { MaxLengthRatio = 0, MaxLengthSlack = 0 } },
    };

    [Theory]
    [MemberData(nameof(BadDecodings))]
    public void DecodingSettingsOutOfRangeAreRejectedNamingTheSetting(string name, TranslationDecoding decoding)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => Tiny.Value.Translate(["a", "b"], decoding));
        Assert.Equal(name, e.ParamName);
        Assert.Contains(name, e.Message);
    }

    [Fact]
    public void CorruptTruncatedAndForeignModelFilesAreInvalidData()
    {
        using var dir = new TestData.TempDirectory();
        string good = dir.File("good.s2s");
        Tiny.Value.Save(good);
        byte[] bytes = File.ReadAllBytes(good);

        File.WriteAllBytes(dir.File("truncated.s2s"), bytes[..(bytes.Length / 2)]);
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => SequenceTranslator.Load(dir.File("truncated.s2s"))).Message);

        var flipped = (byte[])bytes.Clone();
        flipped[bytes.Length - 100] ^= 1;
        File.WriteAllBytes(dir.File("flipped.s2s"), flipped);
        Assert.Contains("checksum", Assert.Throws<InvalidDataException>(() => SequenceTranslator.Load(dir.File("flipped.s2s"))).Message);

        File.WriteAllText(dir.File("text.s2s"), "this is not a model at all, just some text");
        Assert.Contains("is not a sequence translator", Assert.Throws<InvalidDataException>(() => SequenceTranslator.Load(dir.File("text.s2s"))).Message);

        ModelFile.WriteAtomic(dir.File("language-model.s2s"), "MLRNNLM1", w => w.Write(0)); // another kind's container
        Assert.Contains("is not a sequence translator", Assert.Throws<InvalidDataException>(() => SequenceTranslator.Load(dir.File("language-model.s2s"))).Message);

        File.WriteAllBytes(dir.File("empty.s2s"), []);
        Assert.Throws<InvalidDataException>(() => SequenceTranslator.Load(dir.File("empty.s2s")));
        using (var stream = new MemoryStream(bytes[..20])) Assert.Throws<InvalidDataException>(() => SequenceTranslator.Load(stream));
        Assert.Throws<FileNotFoundException>(() => SequenceTranslator.Load(dir.File("missing.s2s")));
    }

    [Fact]
    public void AWellFormedFileWithSettingsOutOfRangeIsInvalidData()
    {
        // A container with a valid checksum whose settings claim 0 hidden units: refused as corrupt, not trained on or allocated.
        using var stream = new MemoryStream();
        ModelFile.Save(stream, new ModelKind("MLRNNS2S", "sequence translator", Version: 2), w => w.Section("settings", b =>
        {
            foreach (int value in new[] { (int)RecurrentCell.Lstm, 0, 1, 16, 16, (int)AttentionScore.General, 32, 1, 200, 200 }) b.Write(value);
            b.Write(true);
            b.Write(true);
            b.Write(false);
            b.Write(0f);
        }));
        stream.Position = 0;
        Assert.Contains("settings are out of range", Assert.Throws<InvalidDataException>(() => SequenceTranslator.Load(stream)).Message);
    }

    [Fact]
    public void SaveAndLoadThroughAStreamAndAFileTranslateAsTheModelInMemory()
    {
        var model = Tiny.Value;
        var sources = SequenceTranslatorTests.Reversals(20, 7).Select(p => p.Source).Append(["a", "zebra"]).ToList();
        using var dir = new TestData.TempDirectory();
        model.Save(dir.File("model.s2s"));
        using var stream = new MemoryStream();
        stream.WriteByte(42); // the stream is read from its position and left just after the model
        model.Save(stream);
        stream.WriteByte(43);
        stream.Position = 1;
        var fromStream = SequenceTranslator.Load(stream);
        Assert.Equal(43, stream.ReadByte());
        foreach (var loaded in new[] { fromStream, SequenceTranslator.Load(dir.File("model.s2s")) })
        {
            Assert.Equal(model.SourceTokens, loaded.SourceTokens);
            Assert.Equal(model.TargetTokens, loaded.TargetTokens);
            Assert.Equal(model.Network.Parameters.Values, loaded.Network.Parameters.Values);
            Assert.Equal(model.Translate(sources), loaded.Translate(sources));
            Assert.Equal(model.Translate(sources, Beam), loaded.Translate(sources, Beam));
        }
    }

    [Fact]
    public void TheSameSeedAndThreadsGiveTheSameWeightsAndAnotherSeedOthers()
    {
        var again = Train(seed: 3);
        Assert.Equal(Tiny.Value.Network.Parameters.Values, again.Network.Parameters.Values);
        Assert.NotEqual(Tiny.Value.Network.Parameters.Values, Train(seed: 4).Network.Parameters.Values);
    }

    [Fact]
    public void BatchedTranslationEqualsOneByOne()
    {
        // 150 sources of mixed lengths: three greedy batches, each sorted by length, padded within the batch.
        var sources = SequenceTranslatorTests.Reversals(150, 11).Select(p => p.Source).ToList();
        var model = Tiny.Value;
        foreach (var decoding in new[] { TranslationDecoding.Greedy, Beam, new TranslationDecoding { Temperature = 0.7f, Seed = 5 } })
        {
            var batched = model.Translate(sources, decoding);
            Assert.Equal(sources.Count, batched.Count);
            for (int i = 0; i < sources.Count; i++) Assert.Equal(model.Translate(sources[i], decoding), batched[i]);
        }
    }
}
