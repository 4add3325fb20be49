using System.Text;
using Microsoft.ML.Recurrent.LanguageModel;
using Microsoft.ML.Recurrent.Persistence;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Captioning;

/// <summary>The captioner in the model container: streams, version-1 files and bad data.</summary>
public class CaptionerPersistenceTests
{
    private static readonly Lazy<(ImageCaptioner Captioner, List<float[]> Features)> s_trained = new(() =>
    {
        var (features, captions, _) = TinyCaptionTask.Make(40, seed: 4);
        var options = TinyCaptionTask.Options(RecurrentCell.Lstm, ImageConditioning.Both);
        options.MaxEpochs = 3;
        options.Decoding = CaptionDecoding.BeamSearch;
        return (ImageCaptioner.Train(features, captions, options), features);
    });

    private static byte[] Bytes(ImageCaptioner captioner)
    {
        var stream = new MemoryStream();
        captioner.Save(stream);
        return stream.ToArray();
    }

    private static void AssertSameCaptioner(ImageCaptioner expected, ImageCaptioner actual, List<float[]> features)
    {
        Assert.Equal(expected.Network.Parameters.Values, actual.Network.Parameters.Values);
        Assert.Equal(expected.Vocabulary, actual.Vocabulary);
        Assert.Equal((expected.Options.Decoding, expected.Options.BeamSize, expected.Options.MaxCaptionLength),
            (actual.Options.Decoding, actual.Options.BeamSize, actual.Options.MaxCaptionLength));
        Assert.All(features.Take(10), f => Assert.Equal(expected.Caption(f), actual.Caption(f)));
        Assert.All(features.Take(10), f => Assert.Equal(expected.Caption(f, CaptionDecoding.Sampling, temperature: 1.2f, seed: 3),
            actual.Caption(f, CaptionDecoding.Sampling, temperature: 1.2f, seed: 3)));
    }

    [Fact]
    public void ACaptionerRoundTripsThroughAStream()
    {
        var (captioner, features) = s_trained.Value;
        var stream = new MemoryStream();
        captioner.Save(stream);
        stream.WriteByte(7);
        stream.Position = 0;
        var loaded = ImageCaptioner.Load(stream);
        Assert.Equal(7, stream.ReadByte()); // the stream is left just after the captioner
        AssertSameCaptioner(captioner, loaded, features);
    }

    [Fact]
    public void AVersion1CaptionerFileStillLoads()
    {
        // Version 1 held the same fields without section framing, and the weights as one flat array (and, as version 2,
        // no attention settings: the section version 3 added is left out).
        var (captioner, features) = s_trained.Value;
        using var v3 = new BinaryReader(new MemoryStream(Bytes(captioner)[20..^4]), Encoding.UTF8);
        var v1 = new MemoryStream();
        ModelFile.Write(v1, "MLRNNCAP", 1, w =>
        {
            while (v3.BaseStream.Position < v3.BaseStream.Length)
            {
                string name = v3.ReadString();
                byte[] section = v3.ReadBytes((int)v3.ReadInt64());
                if (name == "attention") continue;
                if (name != ModelWriter.ParametersSection) w.Write(section);
                else BinaryArrays.WriteFloats(w, captioner.Network.Parameters.Values);
            }
        });
        Assert.Equal(1, BitConverter.ToInt32(v1.ToArray(), 8));
        v1.Position = 0;
        AssertSameCaptioner(captioner, ImageCaptioner.Load(v1), features);
    }

    [Fact]
    public void TruncatedCorruptAndForeignDataIsRejectedWithClearMessages()
    {
        var (captioner, _) = s_trained.Value;
        byte[] good = Bytes(captioner);
        string Message(byte[] bytes) => Assert.Throws<InvalidDataException>(() => ImageCaptioner.Load(new MemoryStream(bytes))).Message;
        Assert.Contains("image captioner in the stream is truncated", Message(good[..^10]));
        var flipped = (byte[])good.Clone();
        flipped[good.Length / 2] ^= 4;
        Assert.Contains("checksum does not match", Message(flipped));
        var lm = new MemoryStream();
        CharLanguageModel.FromNetwork(new CharVocabulary(['a', 'b']), new LanguageNetwork(new LanguageModelShape(RecurrentCell.Rnn, 2, 2, 1, 0f))).Save(lm);
        Assert.Contains("is not an image captioner", Message(lm.ToArray()));

        using var dir = new TestData.TempDirectory();
        Assert.Throws<FileNotFoundException>(() => ImageCaptioner.Load(dir.File("missing.bin")));
        Assert.Equal("stream", Assert.Throws<ArgumentNullException>(() => ImageCaptioner.Load((Stream)null!)).ParamName);
        Assert.Equal("stream", Assert.Throws<ArgumentNullException>(() => captioner.Save((Stream)null!)).ParamName);
    }
}
