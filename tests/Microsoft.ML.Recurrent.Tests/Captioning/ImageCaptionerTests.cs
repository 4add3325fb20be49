using Microsoft.ML.Recurrent.Layers;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Captioning;

/// <summary>The captioner learns the tiny task with every conditioning path and cell; decoders agree where they must.</summary>
public class ImageCaptionerTests
{
    [Theory]
    [InlineData(RecurrentCell.Lstm, ImageConditioning.Both)]
    [InlineData(RecurrentCell.Rnn, ImageConditioning.EveryStep)]
    [InlineData(RecurrentCell.Gru, ImageConditioning.InitialState)]
    public void LearnsToNameColourAndShape(RecurrentCell cell, ImageConditioning conditioning)
    {
        var (features, captions, _) = TinyCaptionTask.Make(90, seed: 1);
        var captioner = ImageCaptioner.Train(features, captions, TinyCaptionTask.Options(cell, conditioning));
        var (testFeatures, _, truth) = TinyCaptionTask.Make(60, seed: 2);
        var generated = testFeatures.Select(f => captioner.Caption(f)).ToList();
        // Chance is 1/9; a model that ignored the image could not pass.
        Assert.True(TinyCaptionTask.AttributeAccuracy(generated, truth) >= 0.9,
            $"attribute accuracy {TinyCaptionTask.AttributeAccuracy(generated, truth):P0}: {string.Join(" | ", generated.Take(6))}");
    }

    [Fact]
    public void BeamOfOneEqualsGreedyAndWiderBeamsWriteKnownWords()
    {
        var (features, captions, _) = TinyCaptionTask.Make(40, seed: 4);
        var options = TinyCaptionTask.Options(RecurrentCell.Lstm, ImageConditioning.Both);
        options.MaxEpochs = 3; // half-trained: the distributions are not yet peaked, so greedy choices are not trivial
        var captioner = ImageCaptioner.Train(features, captions, options);
        var random = new Random(9);
        for (int i = 0; i < 25; i++)
        {
            var x = Enumerable.Range(0, TinyCaptionTask.FeatureCount).Select(_ => (float)random.NextDouble() * 1.5f).ToArray();
            Assert.Equal(captioner.CaptionIds(x, CaptionDecoding.Greedy, 1, 1f, 1), captioner.CaptionIds(x, CaptionDecoding.BeamSearch, 1, 1f, 1));
            string beam = captioner.Caption(x, CaptionDecoding.BeamSearch, beamSize: 4);
            Assert.All(beam.Split(' ', StringSplitOptions.RemoveEmptyEntries), w => Assert.Contains(w, captioner.Vocabulary));
        }
    }

    [Fact]
    public void SamplingIsReproducibleForASeedDiffersAcrossSeedsAndIsGreedyAsTemperatureGoesToZero()
    {
        var (captioner, features) = TinyCaptionTask.HalfTrained(RecurrentCell.Gru, epochs: 2);
        Assert.Equal(captioner.Caption(features[0], CaptionDecoding.Sampling, temperature: 1.5f, seed: 5),
            captioner.Caption(features[0], CaptionDecoding.Sampling, temperature: 1.5f, seed: 5));
        // A sampler that ignored the seed (or the temperature) would write one caption for all of them.
        var bySeed = Enumerable.Range(0, 8).Select(seed => captioner.Caption(features[0], CaptionDecoding.Sampling, temperature: 1.5f, seed: seed));
        Assert.True(bySeed.Distinct().Count() > 1, "eight seeds gave the same sampled caption");
        Assert.All(features.Take(10), f => Assert.Equal(captioner.CaptionIds(f, CaptionDecoding.Greedy, 1, 1f, 1),
            captioner.CaptionIds(f, CaptionDecoding.Sampling, 1, 1e-4f, seed: 6)));
    }

    [Fact]
    public void RejectsBadInput()
    {
        var (features, captions, _) = TinyCaptionTask.Make(4, seed: 1);
        Assert.Throws<ArgumentException>(() => ImageCaptioner.Train(features, captions.Take(3).ToList()));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageCaptioner.Train(features, captions, new CaptionerOptions { Dropout = 1f }));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageCaptioner.Train(features, captions, new CaptionerOptions { WordDropout = 1f }));
        Assert.Throws<ArgumentException>(() => ImageCaptioner.Train(features, [.. captions.Select(_ => (IReadOnlyList<string>)["!!"])]));
        var captioner = ImageCaptioner.Train(features, captions, new CaptionerOptions { MaxEpochs = 1, HiddenSize = 4, EmbeddingSize = 2 });
        Assert.Throws<ArgumentException>(() => captioner.Caption(new float[3]));
    }

    /// <summary>Dropped words change what is learnt, the same way for the same seed.</summary>
    [Fact]
    public void WordDropoutIsSeededAndChangesTraining()
    {
        var (features, captions, _) = TinyCaptionTask.Make(40, seed: 4);
        byte[] SavedModel(float wordDropout)
        {
            var options = TinyCaptionTask.Options(RecurrentCell.Lstm, ImageConditioning.Both);
            options.MaxEpochs = 2;
            options.WordDropout = wordDropout;
            var file = Path.Combine(Path.GetTempPath(), $"word-dropout-{Guid.NewGuid():N}.bin");
            ImageCaptioner.Train(features, captions, options).Save(file);
            var bytes = File.ReadAllBytes(file);
            File.Delete(file);
            return bytes;
        }
        var dropped = SavedModel(0.3f);
        Assert.Equal(dropped, SavedModel(0.3f));
        Assert.NotEqual(dropped, SavedModel(0f));
    }

    [Fact]
    public void SaveThenLoadWritesTheSameCaptions()
    {
        var (features, captions, _) = TinyCaptionTask.Make(40, seed: 4);
        var options = TinyCaptionTask.Options(RecurrentCell.Gru, ImageConditioning.Both);
        options.MaxEpochs = 3;
        options.Decoding = CaptionDecoding.BeamSearch;
        var captioner = ImageCaptioner.Train(features, captions, options);
        using var dir = new TestData.TempDirectory();
        captioner.Save(dir.File("captioner.bin"));
        var loaded = ImageCaptioner.Load(dir.File("captioner.bin"));
        Assert.Equal(CaptionDecoding.BeamSearch, loaded.Options.Decoding);
        Assert.Equal(captioner.Vocabulary, loaded.Vocabulary);
        Assert.All(features.Take(10), f => Assert.Equal(captioner.Caption(f), loaded.Caption(f)));

        var bytes = File.ReadAllBytes(dir.File("captioner.bin"));
        File.WriteAllBytes(dir.File("truncated.bin"), bytes[..(bytes.Length / 2)]);
        Assert.Throws<InvalidDataException>(() => ImageCaptioner.Load(dir.File("truncated.bin")));
    }
}
