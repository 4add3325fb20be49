using System.Text;
using Microsoft.ML.Recurrent.LanguageModel;
using Microsoft.ML.Recurrent.Numerics;
using Microsoft.ML.Recurrent.Persistence;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Models;

/// <summary>The one model container: stream and file round trips, old files, and every way a file can be bad.</summary>
public class ModelContainerTests
{
    // Written by CharLanguageModel.Save before the container had sections (format version 1), from Version1Model().
    private const string Version1File = "TUxSTk5MTTEBAAAA1AIAAAAAAAACAAAAAwAAAAIAAAAAAAAABAAAACAAAABhAAAAYgAAAOkAAACpAAAAkCulvXxrDb4Qikk+/tarPiBUhrweZ4S+VL6MPtIW2r50pci+0Iz0veAQiD4OfPY+0mW8vjJm2T6gENk8sJhevkDLabyAMlg+fi2kPmZEvD487nW+OAOzPUQVMD7mmO++DPqHvlqvt76qp56+XB26vrD5Jz6u0YS+9P4PPsYVlD54sLu+NIA1vuBGBr4ABqM+oPhQvvDnSb1QJFk+iHLcvTjf075wCfy9FI8bPhDxO76kVI0+8K4QvshB6j3c3eU+tJ7Pvux+dT5UBtW+JMZbPpx6775e3aS+qGxivrChXD5whRC+jkuuvhBOTT0iLs8+LivbPpgebT7kyR8+PqTSvnjQrL5otbm9SOa7vojjcz7cGc++WHD5vRAidD26O96+dFYGvjCnfT30Kpc+eGrgPlg0/j7AKho+3DlivuivQj5uVri+8OuEvl7YxT76qew+/DwBPmq8t75w9709oLa0vYzX2L6Qiya9GE3sPRLQub5IMs0+ihPrPkhj7b4Qy5C9uGSNPYjGiD4mzoW+HlX9Pmy1Ib74SLY+Dg/5vsSzLD7gpay8MN5RPcAxBbzMqUe+bnLevgijkz7WR5G+oKi7PMjj6z4UyUy+mD67vULD1T54Cu2+uPZ5vmykD77A7cc+jH9IvnwvQz7IrI++OFLzvSzDQb60OG0+oprgPjrcrT5AY7m8wEHzPSD3tb4uu/C+IlLUvvCrRr5YGJY9cP5DPjwK8z4WUZy+dmz4PthtRj4MFM4+emzMvsBWgD50Cm6+NDK/vpbNh76A4KS9xExQvsCiZbykzjo+9J69vvAFYb7AdjI+4KGqvir+z74AYI49BnarvoiuKr6mica+uLP8PoCOSj1o8kk+vFXVPtS5mD70QwE+MrycPrwvQr5AeKk9TgT5vgAAAAAAAPj/bLjczg==";

    // What that model generated with the code that wrote the file: Generate("ab", 40, 0.8f, seed: 3).
    private const string Version1Text = "abbééb abb ébbéa é bbaaéé a baa  bbéb é ";

    private static CharLanguageModel Version1Model()
    {
        var network = new LanguageNetwork(new LanguageModelShape(RecurrentCell.Gru, 4, 3, 2, 0f));
        network.Initialize(new RandomSource(7), WeightInitialization.Uniform, 0.5f);
        return CharLanguageModel.FromNetwork(new CharVocabulary([' ', 'a', 'b', 'é']), network);
    }

    private static byte[] Bytes(CharLanguageModel model)
    {
        var stream = new MemoryStream();
        model.Save(stream);
        return stream.ToArray();
    }

    private static string Message(byte[] bytes) => Assert.Throws<InvalidDataException>(() => CharLanguageModel.Load(new MemoryStream(bytes))).Message;

    [Fact]
    public void AVersion1FileWrittenByTheEarlierCodeStillLoads()
    {
        byte[] bytes = Convert.FromBase64String(Version1File);
        Assert.Equal("MLRNNLM1", Encoding.ASCII.GetString(bytes, 0, 8));
        Assert.Equal(1, BitConverter.ToInt32(bytes, 8));
        var loaded = CharLanguageModel.Load(new MemoryStream(bytes));
        Assert.Equal(Version1Model().Network.Parameters.Values, loaded.Network.Parameters.Values);
        Assert.Equal(Version1Text, loaded.Generate("ab", 40, 0.8f, seed: 3));
        Assert.Null(loaded.ValidationLoss);

        // Saving again writes the current version, which reads back to the same model.
        byte[] again = Bytes(loaded);
        Assert.Equal(2, BitConverter.ToInt32(again, 8));
        Assert.Equal(Version1Text, CharLanguageModel.Load(new MemoryStream(again)).Generate("ab", 40, 0.8f, seed: 3));
    }

    [Fact]
    public void ModelsRoundTripThroughAStreamThatIsLeftJustAfterEachOne()
    {
        var a = Version1Model();
        var network = new LanguageNetwork(new LanguageModelShape(RecurrentCell.Lstm, 4, 5, 1, 0f));
        network.Initialize(new RandomSource(8), WeightInitialization.Gaussian, 0.3f);
        var b = CharLanguageModel.FromNetwork(new CharVocabulary(['x', 'y', 'z', 'ü']), network);
        var stream = new MemoryStream();
        a.Save(stream);
        b.Save(stream);
        stream.WriteByte(42);
        stream.Position = 0;
        var loadedA = CharLanguageModel.Load(stream);
        var loadedB = CharLanguageModel.Load(stream);
        Assert.Equal(42, stream.ReadByte());
        Assert.Equal(b.Network.Parameters.Values, loadedB.Network.Parameters.Values);
        Assert.Equal((b.Cell, b.HiddenSize, b.Layers), (loadedB.Cell, loadedB.HiddenSize, loadedB.Layers));
        Assert.Equal(b.Vocabulary, loadedB.Vocabulary);
        Assert.Equal(a.Generate("ab", 60, 0.9f, seed: 5), loadedA.Generate("ab", 60, 0.9f, seed: 5));
        Assert.Equal(b.Generate("x", 60, 0.9f, seed: 5), loadedB.Generate("x", 60, 0.9f, seed: 5));
    }

    [Fact]
    public void TruncatedCorruptForeignAndNewerStreamsAreRejectedWithClearMessages()
    {
        byte[] good = Bytes(Version1Model());
        Assert.Contains("the stream is truncated", Message(good[..(good.Length / 2)]));
        Assert.Contains("is truncated", Assert.Throws<InvalidDataException>(() => CharLanguageModel.Load(new OneByteAtATime(good[..^1]))).Message);
        Assert.Contains("its header is 10 of 20 bytes", Message(good[..10]));

        var flipped = (byte[])good.Clone();
        flipped[good.Length - 40] ^= 1;
        Assert.Contains("checksum does not match", Message(flipped));

        Assert.Contains("is not a character language model", Message(Encoding.ASCII.GetBytes("MLRNNCAP and then an image captioner")));
        Assert.Contains("is not a character language model", Message([]));

        var newer = (byte[])good.Clone();
        newer[8] = 3;
        Assert.Contains("format version 3, written by a newer library", Message(newer));
    }

    [Fact]
    public void AParameterWhoseShapeDiffersFromTheNetworkIsRejectedEvenWithAValidChecksum()
    {
        var model = Version1Model();
        var stream = new MemoryStream();
        // The right number of weights, but the first parameter stored transposed.
        ModelFile.Write(stream, "MLRNNLM1", 2, payload =>
        {
            var w = new ModelWriter(payload);
            w.Section("network", s => LanguageModelSerializer.WriteShape(s, model.VocabularyMap, model.Network.Shape));
            w.Section(ModelWriter.ParametersSection, s =>
            {
                s.Write(model.Network.Parameters.Parameters.Count);
                foreach (var (p, i) in model.Network.Parameters.Parameters.Select((p, i) => (p, i)))
                {
                    s.Write(i == 0 ? p.Cols : p.Rows);
                    s.Write(i == 0 ? p.Rows : p.Cols);
                    foreach (float v in p.Value) s.Write(v);
                }
            });
            w.Section("training", s => s.Write(double.NaN));
        });
        var first = model.Network.Parameters.Parameters[0];
        Assert.NotEqual(first.Rows, first.Cols);
        Assert.Contains($"parameter 0 ('{first.Name}') is [{first.Cols}, {first.Rows}] in the file but [{first.Rows}, {first.Cols}]",
            Message(stream.ToArray()));
    }

    [Fact]
    public void StreamArgumentsAreValidated()
    {
        var model = Version1Model();
        Assert.Equal("stream", Assert.Throws<ArgumentNullException>(() => model.Save((Stream)null!)).ParamName);
        Assert.Equal("stream", Assert.Throws<ArgumentNullException>(() => CharLanguageModel.Load((Stream)null!)).ParamName);
        Assert.Contains("not writable", Assert.Throws<ArgumentException>(() => model.Save(new MemoryStream(new byte[8], writable: false))).Message);
        using var dir = new TestData.TempDirectory();
        using var writeOnly = new FileStream(dir.File("w.bin"), FileMode.Create, FileAccess.Write);
        Assert.Contains("not readable", Assert.Throws<ArgumentException>(() => CharLanguageModel.Load(writeOnly)).Message);
    }

    [Fact]
    public void FilesNameThemselvesInMessagesAndMayHoldNothingAfterTheModel()
    {
        using var dir = new TestData.TempDirectory();
        string path = dir.File("lm.rnnlm");
        File.WriteAllBytes(path, [.. Bytes(Version1Model()), 0]);
        var message = Assert.Throws<InvalidDataException>(() => CharLanguageModel.Load(path)).Message;
        Assert.Contains($"'{path}' is corrupt: 1 bytes follow the end of its content", message);
        using var file = File.OpenRead(path);
        Assert.Equal(Version1Model().Network.Parameters.Values, CharLanguageModel.Load(file).Network.Parameters.Values); // a stream may go on
    }

    [Fact]
    public void AnAtomicWriteLeavesTheOldFileIntactWhenTheWriterThrows()
    {
        using var dir = new TestData.TempDirectory();
        string path = dir.File("lm.rnnlm");
        Version1Model().Save(path);
        byte[] before = File.ReadAllBytes(path);
        Assert.Throws<IOException>(() => ModelFile.WriteAtomic(path, "MLRNNLM1", 2, w =>
        {
            w.Write(new byte[100_000]);
            throw new IOException("the writer failed half way");
        }));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(dir.Path)); // and no temporary file is left behind
    }

    /// <summary>A stream that cannot seek and returns one byte per read, as a network stream may.</summary>
    private sealed class OneByteAtATime(byte[] bytes) : Stream
    {
        private int _position;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count)
        {
            if (count == 0 || _position == bytes.Length) return 0;
            buffer[offset] = bytes[_position++];
            return 1;
        }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
