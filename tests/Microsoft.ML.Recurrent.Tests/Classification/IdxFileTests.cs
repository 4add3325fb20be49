using System.Buffers.Binary;
using System.IO.Compression;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Classification;

/// <summary>The IDX reader on the real Fashion-MNIST files, and its errors on a bad magic number and on truncated files.</summary>
public sealed class IdxFileTests
{
    [Fact]
    public void Reads_the_Fashion_MNIST_test_images_and_labels()
    {
        var images = IdxFile.ReadImages(TestData.FashionMnist("t10k-images-idx3-ubyte.gz"));
        var labels = IdxFile.ReadLabels(TestData.FashionMnist("t10k-labels-idx1-ubyte.gz"));
        Assert.Equal((10_000, 28, 28), (images.Count, images.Rows, images.Columns));
        Assert.Equal(10_000, labels.Length);
        Assert.All(labels, l => Assert.InRange(l, 0, 9));
        Assert.Equal(1_000, labels.Count(l => l == 9)); // the test set is balanced: 1,000 images a class
        var first = images.Scaled(0);
        Assert.Equal(784, first.Length);
        Assert.All(first, v => Assert.InRange(v, 0f, 1f));
        Assert.Contains(first, v => v == 1f); // pixel 255 scales to exactly 1
        Assert.Throws<ArgumentOutOfRangeException>(() => images.Scaled(10_000));
    }

    [Fact]
    public void Uncompressed_files_read_the_same()
    {
        using var dir = new TestData.TempDirectory();
        byte[] raw = Inflate(TestData.FashionMnist("t10k-labels-idx1-ubyte.gz"));
        File.WriteAllBytes(dir.File("labels"), raw);
        Assert.Equal(IdxFile.ReadLabels(TestData.FashionMnist("t10k-labels-idx1-ubyte.gz")), IdxFile.ReadLabels(dir.File("labels")));
    }

    [Fact]
    public void A_labels_file_read_as_images_is_a_clear_error_naming_both_magic_numbers()
    {
        var error = Assert.Throws<InvalidDataException>(() => IdxFile.ReadImages(TestData.FashionMnist("t10k-labels-idx1-ubyte.gz")));
        Assert.Contains("magic number 0x00000801, expected 0x00000803", error.Message);
        Assert.Contains("t10k-labels-idx1-ubyte.gz", error.Message);
    }

    [Fact]
    public void A_truncated_file_is_a_clear_error_gzipped_or_not()
    {
        using var dir = new TestData.TempDirectory();
        byte[] raw = Inflate(TestData.FashionMnist("t10k-images-idx3-ubyte.gz"));
        File.WriteAllBytes(dir.File("cut"), raw[..(raw.Length - 100)]);
        var error = Assert.Throws<InvalidDataException>(() => IdxFile.ReadImages(dir.File("cut")));
        Assert.Contains("promises 10000 × 28 × 28 = 7,840,000 bytes of images, the file holds 7,839,900 (truncated?)", error.Message);

        using (var gz = new GZipStream(File.Create(dir.File("cut.gz")), CompressionLevel.Fastest)) gz.Write(raw.AsSpan(0, 16 + 784 * 3));
        Assert.Contains("(truncated?)", Assert.Throws<InvalidDataException>(() => IdxFile.ReadImages(dir.File("cut.gz"))).Message);

        File.WriteAllBytes(dir.File("header"), raw[..10]);
        Assert.Contains("too few for the header", Assert.Throws<InvalidDataException>(() => IdxFile.ReadImages(dir.File("header"))).Message);
    }

    [Fact]
    public void A_zero_image_dimension_is_a_clear_error()
    {
        using var dir = new TestData.TempDirectory();
        var header = new byte[16];
        BinaryPrimitives.WriteInt32BigEndian(header, 0x803);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), 1);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(8), 0);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(12), 28);
        File.WriteAllBytes(dir.File("zero"), header);
        Assert.Contains("dimension 1 of the header is 0", Assert.Throws<InvalidDataException>(() => IdxFile.ReadImages(dir.File("zero"))).Message);
    }

    private static byte[] Inflate(string path)
    {
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var memory = new MemoryStream();
        gz.CopyTo(memory);
        return memory.ToArray();
    }
}
