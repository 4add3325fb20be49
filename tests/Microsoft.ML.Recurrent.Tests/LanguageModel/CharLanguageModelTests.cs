using Microsoft.ML.Recurrent.Persistence;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Models;

public class CharLanguageModelTests : IClassFixture<CharLanguageModelTests.TrainedModel>
{
    private readonly CharLanguageModel _model;

    public CharLanguageModelTests(TrainedModel fixture) => _model = fixture.Model;

    /// <summary>A small GRU trained briefly on tiny Shakespeare, shared by the tests of this class.</summary>
    public sealed class TrainedModel
    {
        public CharLanguageModel Model { get; } = CharLanguageModel.Train(TestData.TinyShakespeare(40_000), new CharLanguageModelOptions
        {
            Cell = RecurrentCell.Gru,
            HiddenSize = 32,
            Layers = 2,
            BatchSize = 16,
            SequenceLength = 32,
            LearningRate = 0.01f,
            MaxIterations = 400,
            EvaluateEvery = 200,
        });
    }

    [Fact]
    public void SaveThenLoadGivesTheSameModel()
    {
        using var dir = new TestData.TempDirectory();
        string path = dir.File("models/lm.bin");
        _model.Save(path);
        var loaded = CharLanguageModel.Load(path);
        Assert.Equal(_model.Network.Parameters.Values, loaded.Network.Parameters.Values);
        Assert.Equal(_model.Vocabulary, loaded.Vocabulary);
        Assert.Equal((_model.Cell, _model.HiddenSize, _model.Layers, _model.ValidationLoss), (loaded.Cell, loaded.HiddenSize, loaded.Layers, loaded.ValidationLoss));
        Assert.Equal(_model.Generate("ROMEO", 100, 0.9f, seed: 11), loaded.Generate("ROMEO", 100, 0.9f, seed: 11));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!)); // no temporary file left behind
    }

    [Fact]
    public void GenerationIsReproducibleGivenASeedAndGreedyAtTemperatureZero()
    {
        string a = _model.Generate("First Citizen:", 200, 1f, seed: 1);
        Assert.Equal(200, a.Length);
        Assert.Equal(a, _model.Generate("First Citizen:", 200, 1f, seed: 1));
        Assert.NotEqual(a, _model.Generate("First Citizen:", 200, 1f, seed: 2));
        Assert.Equal(_model.Generate("First", 50, 0f, seed: 1), _model.Generate("First", 50, 0f, seed: 99));
        Assert.All(a, c => Assert.Contains(c.ToString(), _model.Vocabulary));
        Assert.Equal(30, _model.Generate("", 30, 0.5f).Length);
        Assert.Equal(_model.Generate("ab", 40, 1f, 3), string.Concat(_model.GenerateCharacters("ab", 40, 1f, 3)));
    }

    [Fact]
    public void SamplingAllocatesNothingPerCharacter()
    {
        // What one generation allocates (sampler, workspace, enumerators) is fixed; what a longer one adds is per character.
        long Allocated(int length)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            int characters = 0;
            foreach (string c in _model.GenerateCharacters("First", length, 0.8f, seed: 4)) characters += c.Length;
            Assert.Equal(length, characters);
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
        Allocated(300); // warm-up: first calls compile and fill caches
        long shortRun = Allocated(100), longRun = Allocated(2_100);
        double perCharacter = (longRun - shortRun) / 2_000.0; // measured 0.0 (7,760 bytes per generation at 100 and at 2,100 characters)
        Assert.True(perCharacter < 1, $"{perCharacter:F1} bytes allocated per generated character");
    }

    [Fact]
    public void EvaluateScoresHeldOutTextWellBelowTheUnigramBaseline()
    {
        string heldOut = string.Concat(TestData.TinyShakespeare(60_000)[50_000..].Where(c => _model.Vocabulary.Contains(c.ToString())));
        double loss = _model.Evaluate(heldOut);
        double unigram = UnigramCrossEntropy(TestData.TinyShakespeare(40_000), heldOut);
        // Measured: 2.15 nats per character against the unigram model's 3.28. A model that learned only letter
        // frequencies stays near 3.3 (this fixture trained for 60 iterations, as it once did, scored 3.27), so a
        // full nat below the baseline needs context.
        Assert.InRange(loss, 0.5, unigram - 1.0);
    }

    // Cross-entropy (nats per character) of text under the add-one-smoothed character frequencies of training.
    private static double UnigramCrossEntropy(string training, string text)
    {
        var counts = training.GroupBy(c => c).ToDictionary(g => g.Key, g => g.Count());
        double total = training.Length + counts.Count;
        return text.Average(c => -Math.Log((counts.GetValueOrDefault(c) + 1) / total));
    }

    [Fact]
    public void APromptWithAnUnseenCharacterIsAClearError()
    {
        var e = Assert.Throws<ArgumentException>(() => _model.Generate("ROMEO ☃", 10));
        Assert.Contains("'☃' (U+2603) at character 6", e.Message);
        Assert.Contains("never saw", e.Message);
    }

    [Theory]
    [InlineData(-1, 1f)]
    [InlineData(10, -0.5f)]
    [InlineData(10, float.NaN)]
    [InlineData(10, float.PositiveInfinity)]
    public void BadGenerationArgumentsAreRejected(int length, float temperature)
        => Assert.Throws<ArgumentOutOfRangeException>(() => _model.Generate("a", length, temperature));

    [Fact]
    public void CorruptTruncatedAndForeignFilesAreRejectedClearly()
    {
        using var dir = new TestData.TempDirectory();
        string good = dir.File("good.bin");
        _model.Save(good);
        byte[] bytes = File.ReadAllBytes(good);

        File.WriteAllBytes(dir.File("truncated.bin"), bytes[..(bytes.Length / 2)]);
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => CharLanguageModel.Load(dir.File("truncated.bin"))).Message);

        var flipped = (byte[])bytes.Clone();
        flipped[bytes.Length - 100] ^= 1;
        File.WriteAllBytes(dir.File("flipped.bin"), flipped);
        Assert.Contains("checksum", Assert.Throws<InvalidDataException>(() => CharLanguageModel.Load(dir.File("flipped.bin"))).Message);

        File.WriteAllText(dir.File("text.bin"), "this is not a model at all, just some text");
        Assert.Contains("is not a character language model", Assert.Throws<InvalidDataException>(() => CharLanguageModel.Load(dir.File("text.bin"))).Message);

        File.WriteAllBytes(dir.File("empty.bin"), []);
        Assert.Throws<InvalidDataException>(() => CharLanguageModel.Load(dir.File("empty.bin")));

        Assert.Throws<FileNotFoundException>(() => CharLanguageModel.Load(dir.File("missing.bin")));
    }

    [Fact]
    public void AbsurdSizesInAFileWithAValidChecksumAreRejectedBeforeAllocating()
    {
        using var dir = new TestData.TempDirectory();
        // A well-formed container whose payload claims an LSTM of 60,000 × 64 layers: the weights it would
        // need do not fit in the file, so loading refuses instead of allocating terabytes.
        string path = dir.File("absurd.bin");
        ModelFile.WriteAtomic(path, "MLRNNLM1", w =>
        {
            w.Write((int)RecurrentCell.Lstm); w.Write(60_000); w.Write(64); w.Write(0f);
            w.Write(2); w.Write((int)'a'); w.Write((int)'b');
            w.Write(int.MaxValue);
        });
        var e = Assert.Throws<InvalidDataException>(() => CharLanguageModel.Load(path));
        Assert.Contains("needs", e.Message);
    }
}
