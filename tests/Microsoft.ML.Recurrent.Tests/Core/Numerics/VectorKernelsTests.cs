using Microsoft.ML.Recurrent.Numerics;
using Xunit;
using Xunit.Abstractions;
using static Microsoft.ML.Recurrent.Tests.Numerics.NumericsTestHelpers;

namespace Microsoft.ML.Recurrent.Tests.Numerics;

/// <summary>
/// Element-wise helpers must equal a plain float loop exactly; column sums (float, rows added in order) must be
/// within 1e-6·rows relative to Σ|m|; double sums within 1e-12 relative. All paths must agree to the bit.
/// </summary>
public class VectorKernelsTests(ITestOutputHelper output)
{
    public static TheoryData<int> Lengths()
    {
        var data = new TheoryData<int>();
        foreach (int n in OddLengths.Concat([0, 64, 1000, 4099]))
            data.Add(n);
        return data;
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void AddBiasAddsToEveryRow(int cols)
    {
        const int rows = 3;
        var m = Random(rows * cols + 2, cols);
        var bias = Random(cols, cols + 1);
        var expected = m.Select((v, i) => i < rows * cols ? v + bias[i % cols] : v).ToArray();
        foreach (int width in Widths)
        {
            var actual = WithWidth(width, output, () =>
            {
                var x = (float[])m.Clone();
                VectorKernels.AddBias(x, bias, rows, cols);
                return x;
            });
            SameBits(expected, actual, $"AddBias cols={cols} width={width}");
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void AccumulateColumnSumsAddsEveryRow(int cols)
    {
        foreach (int rows in new[] { 1, 3, 4, 5, 9 })
        {
            var m = Random(rows * cols, rows + cols);
            var start = Random(cols, cols + 7);
            float[]? first = null;
            foreach (int width in Widths)
            {
                var sums = WithWidth(width, output, () =>
                {
                    var s = (float[])start.Clone();
                    VectorKernels.AccumulateColumnSums(m, s, rows, cols);
                    return s;
                });
                string what = $"column sums {rows}x{cols} width={width}";
                for (int j = 0; j < cols; j++)
                {
                    double expected = start[j], scale = Math.Abs(start[j]);
                    for (int i = 0; i < rows; i++)
                    {
                        expected += m[i * cols + j];
                        scale += Math.Abs(m[i * cols + j]);
                    }

                    Assert.True(Math.Abs(sums[j] - expected) <= 1e-6 * rows * scale, $"{what}: column {j} is {sums[j]}, expected {expected}");
                }

                if (first is null)
                    first = sums;
                else
                    SameBits(first, sums, what + " vs width 512");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void ClampAndScaleMatchScalarLoops(int n)
    {
        var x = Random(n, n + 3, -3f, 3f);
        if (n > 2)
            x[n / 2] = float.NaN;
        var clamped = x.Select(v => float.IsNaN(v) ? v : Math.Clamp(v, -1.5f, 1.5f)).ToArray();
        var scaled = x.Select(v => v * 0.3f).ToArray();
        foreach (int width in Widths)
        {
            var (c, s) = WithWidth(width, output, () =>
            {
                var c = (float[])x.Clone();
                VectorKernels.Clamp(c, 1.5f);
                var s = (float[])x.Clone();
                VectorKernels.Scale(s, 0.3f);
                return (c, s);
            });
            SameBits(clamped, c, $"Clamp n={n} width={width}");
            SameBits(scaled, s, $"Scale n={n} width={width}");
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void SumsMatchReference(int n)
    {
        var x = Random(n, n + 5, -2f, 2f);
        double sum = 0, squares = 0, abs = 0;
        foreach (float v in x)
        {
            sum += v;
            squares += (double)v * v;
            abs += Math.Abs(v);
        }

        double? firstSum = null, firstSquares = null;
        foreach (int width in Widths)
        {
            var (s, q) = WithWidth(width, output, () => (VectorKernels.Sum(x), VectorKernels.SumOfSquares(x)));
            Assert.True(Math.Abs(s - sum) <= 1e-12 * abs, $"Sum n={n} width={width}: {s}, expected {sum}");
            Assert.True(Math.Abs(q - squares) <= 1e-12 * squares, $"SumOfSquares n={n} width={width}: {q}, expected {squares}");
            firstSum ??= s;
            firstSquares ??= q;
            Assert.Equal(BitConverter.DoubleToInt64Bits(firstSum.Value), BitConverter.DoubleToInt64Bits(s));
            Assert.Equal(BitConverter.DoubleToInt64Bits(firstSquares.Value), BitConverter.DoubleToInt64Bits(q));
        }
    }

    /// <summary>
    /// The fused pass must leave the bits of Clamp and return those of SumOfSquares after it, on every path: values
    /// beyond the limit both ways, −0, and a NaN, which stays in the vector and the sum.
    /// </summary>
    [Theory]
    [MemberData(nameof(Lengths))]
    public void ClampAndSumOfSquaresIsClampThenSumOfSquares(int n)
    {
        var x = Random(n, n + 7, -16f, 16f); // about two thirds beyond ±5
        if (n > 2) x[n / 2] = -0f;
        var withNaN = (float[])x.Clone();
        if (n > 0) withNaN[n - 1] = float.NaN;
        foreach (var input in new[] { x, withNaN })
        {
            var clamped = (float[])input.Clone();
            VectorKernels.Clamp(clamped, 5f);
            double expected = VectorKernels.SumOfSquares(clamped);
            foreach (int width in Widths)
            {
                var (actual, fused) = WithWidth(width, output, () =>
                {
                    var y = (float[])input.Clone();
                    return (VectorKernels.ClampAndSumOfSquares(y, 5f), y);
                });
                SameBits(clamped, fused, $"ClampAndSumOfSquares values n={n} width={width}");
                Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual),
                    $"ClampAndSumOfSquares n={n} width={width}: {actual:R}, expected {expected:R}");
            }
        }
    }

    /// <summary>
    /// With magnitudes from 2⁻⁴⁰ to 2⁴⁰ the double additions round, so their order shows: every path must give the
    /// bits of the documented order (element i to lane i mod 32, the lanes added pairwise l += l+16, l+8, …, l+1,
    /// then the tail in order). Sums of floats in [−2, 2) above are exact in double and cannot show it.
    /// </summary>
    [Theory]
    [InlineData(1000)]
    [InlineData(64)]
    [InlineData(31)]
    public void SumsAddInTheDocumentedOrderOnEveryPath(int n)
    {
        var rng = new Random(n);
        var x = new float[n];
        for (int i = 0; i < n; i++)
            x[i] = (float)((rng.NextDouble() * 2 - 1) * Math.Pow(2, rng.Next(-40, 41)));
        foreach (bool squares in new[] { false, true })
        {
            var lanes = new double[32];
            int blocks = n / 32 * 32;
            for (int i = 0; i < blocks; i++)
                lanes[i % 32] += squares ? (double)x[i] * x[i] : x[i];
            for (int half = 16; half > 0; half /= 2)
                for (int l = 0; l < half; l++)
                    lanes[l] += lanes[l + half];
            double expected = lanes[0];
            for (int i = blocks; i < n; i++)
                expected += squares ? (double)x[i] * x[i] : x[i];
            foreach (int width in Widths)
            {
                double actual = WithWidth(width, output, () => squares ? VectorKernels.SumOfSquares(x) : VectorKernels.Sum(x));
                Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual),
                    $"{(squares ? "SumOfSquares" : "Sum")} n={n} width={width}: {actual:R}, expected {expected:R}");
            }
        }
    }

    [Fact]
    public void SumOfSquaresKeepsDoublePrecision()
    {
        // 2²⁴ + 1 is not a float; a float accumulator would lose the ones entirely.
        var x = new float[1 + 100];
        x[0] = 4096f;
        x.AsSpan(1).Fill(1f);
        Assert.Equal(16777216.0 + 100, VectorKernels.SumOfSquares(x));
    }

    [Fact]
    public void TooSmallBuffersThrow()
    {
        Assert.Throws<ArgumentException>(() => VectorKernels.AddBias(new float[5], new float[3], 2, 3));
        Assert.Throws<ArgumentException>(() => VectorKernels.AddBias(new float[6], new float[2], 2, 3));
        Assert.Throws<ArgumentException>(() => VectorKernels.AccumulateColumnSums(new float[6], new float[2], 2, 3));
    }
}
