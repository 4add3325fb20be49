using Microsoft.ML.Recurrent.Numerics;
using Xunit;
using static Microsoft.ML.Recurrent.Tests.Numerics.NumericsTestHelpers;

namespace Microsoft.ML.Recurrent.Tests.Numerics;

/// <summary>The transpose (8 × 8 register blocks plus the ragged edges) must move every element exactly where the scalar definition puts it.</summary>
public class MatrixTransposeTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(8, 8)]
    [InlineData(7, 9)]
    [InlineData(16, 24)]
    [InlineData(100, 100)] // min-char-rnn's Wh
    [InlineData(128, 512)] // an LSTM's Wh, 4 gate blocks
    [InlineData(33, 17)]
    [InlineData(3, 65)]
    public void TransposeMatchesTheDefinition(int rows, int cols)
    {
        var src = Random(rows * cols, rows * 1000 + cols);
        var expected = new float[cols * rows];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                expected[j * rows + i] = src[i * cols + j];
        var actual = new float[cols * rows + 3];
        actual.AsSpan(cols * rows).Fill(42f);
        MatrixTranspose.Transpose(src, actual, rows, cols);
        SameBits(expected, actual.AsSpan(0, cols * rows), $"transpose {rows}×{cols}");
        Assert.All(actual[(cols * rows)..], v => Assert.Equal(42f, v)); // nothing written past the matrix
    }

    [Fact]
    public void TooSmallBuffersAreRefused()
        => Assert.Throws<ArgumentException>(() => MatrixTranspose.Transpose(new float[6], new float[5], 2, 3));
}
