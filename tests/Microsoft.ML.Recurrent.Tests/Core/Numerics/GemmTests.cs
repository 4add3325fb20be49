using Microsoft.ML.Recurrent.Numerics;
using Xunit;
using static Microsoft.ML.Recurrent.Tests.Numerics.NumericsTestHelpers;

namespace Microsoft.ML.Recurrent.Tests.Numerics;

public class GemmTests
{
    public enum Form
    {
        AB,
        ABt,
        AtB,
    }

    private const float Sentinel = 12345f;

    // (m, k, n): odd sizes around the vector widths (8, 16) and the 6-row, 16- and 64-column tiles; k past the
    // 384-deep blocks (385, 400); n past the 384-wide blocks (389, 530); B read in place (m < 64) and packed.
    private static readonly (int M, int K, int N)[] s_shapes =
    [
        (1, 1, 1), (1, 65, 1), (3, 7, 5), (1, 17, 65), (7, 3, 15), (6, 16, 64), (13, 31, 33), (17, 100, 65),
        (5, 129, 31), (50, 128, 100), (31, 385, 129), (7, 33, 530), (19, 400, 70), (70, 400, 100), (64, 50, 389),
    ];

    public static TheoryData<Form, int, int, int> Shapes()
    {
        var data = new TheoryData<Form, int, int, int>();
        foreach (var form in Enum.GetValues<Form>())
            foreach (var (m, k, n) in s_shapes)
                data.Add(form, m, k, n);
        return data;
    }

    /// <summary>
    /// Every path and both accumulate modes against a double-precision reference. The tolerance is
    /// 1e-5·√k relative to Σ|A·B| + |C₀| (a rounding error of u·k at worst would be 6e-8·k), well below the size
    /// of any one missing or doubled product. All paths must also agree to the bit.
    /// </summary>
    [Theory]
    [MemberData(nameof(Shapes))]
    public void MatchesReferenceOnEveryPath(Form form, int m, int k, int n)
    {
        var a = Random(m * k, 1);
        var b = Random(k * n, 2);
        var c0 = Random(m * n, 3);
        foreach (bool accumulate in new[] { false, true })
        {
            var (expected, scale) = Reference(form, a, b, accumulate ? c0 : null, m, k, n);
            float[]? first = null;
            foreach (int width in GemmWidths)
            {
                var c = RunWith(width, 1, form, a, b, accumulate ? c0 : null, m, k, n);
                string what = $"{form} {m}x{k}x{n} accumulate={accumulate} width={width}";
                for (int i = 0; i < m * n; i++)
                {
                    double tol = 1e-5 * Math.Sqrt(k) * scale[i] + 1e-30;
                    Assert.True(Math.Abs(c[i] - expected[i]) <= tol, $"{what}: C[{i / n},{i % n}] = {c[i]:R}, expected {expected[i]:R} ± {tol:G3}");
                }

                Assert.True(c.AsSpan(m * n).ToArray().All(v => v == Sentinel), $"{what}: wrote past C[m·n]");
                if (first is null)
                    first = c;
                else
                    SameBits(first, c, what + " vs width 512");
            }
        }
    }

    public static TheoryData<Form, int, int, int> ParallelShapes()
    {
        var data = new TheoryData<Form, int, int, int>();
        foreach (var form in Enum.GetValues<Form>())
        {
            data.Add(form, 64, 200, 300);  // splits either way
            data.Add(form, 700, 64, 40);   // many rows, few columns: split by rows
            data.Add(form, 20, 100, 900);  // few rows, many columns: split by columns
            data.Add(form, 1, 512, 1100);  // matrix–vector products, split by columns
            data.Add(form, 3, 300, 700);
        }

        return data;
    }

    /// <summary>Work is large enough to be split; 1, 2 and 3 threads must give the same bits.</summary>
    [Theory]
    [MemberData(nameof(ParallelShapes))]
    public void ResultsDoNotDependOnThreadCount(Form form, int m, int k, int n)
    {
        var a = Random(m * k, 4);
        var b = Random(k * n, 5);
        var c0 = Random(m * n, 6);
        foreach (int width in new[] { 512, 256 })
            foreach (bool accumulate in new[] { false, true })
            {
                var one = RunWith(width, 1, form, a, b, accumulate ? c0 : null, m, k, n);
                foreach (int threads in new[] { 2, 3 })
                    SameBits(one, RunWith(width, threads, form, a, b, accumulate ? c0 : null, m, k, n),
                        $"{form} {m}x{k}x{n} width={width} accumulate={accumulate} threads={threads} vs 1");
            }
    }

    // n for the few-row kernels: around the vector widths (8, 16), multiples of 16 (where B is read from its row alignment on),
    // and past the widest block of one row (256 columns with 512-bit vectors), so that C is split into several blocks.
    private static readonly int[] s_fewRowColumns = [1, 7, 8, 15, 16, 17, 31, 33, 65, 100, 129, 240, 256, 257, 300, 400];

    private static readonly int[] s_fewRowDepths = [1, 7, 64, 129];

    /// <summary>
    /// MatMul with few rows (the matrix–vector kernels up to 4 rows, and 5 rows for the blocked kernels next to them), for B
    /// starting at several offsets from a 64-byte boundary: matches the reference, gives the same bits on every path, and
    /// writes nothing outside C.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void FewRowsMatchReferenceOnEveryPath(int m)
    {
        foreach (int n in s_fewRowColumns)
            foreach (int k in s_fewRowDepths)
            {
                var a = Random(m * k, 10 + m);
                var b = Random(k * n, 20 + n);
                var c0 = Random(m * n, 30 + k);
                foreach (int offset in new[] { 0, 3, 15 })
                    foreach (bool accumulate in new[] { false, true })
                    {
                        var (expected, scale) = Reference(Form.AB, a, b, accumulate ? c0 : null, m, k, n);
                        float[]? first = null;
                        foreach (int width in GemmWidths)
                        {
                            string what = $"{m}x{k}x{n} B offset {offset} accumulate={accumulate} width={width}";
                            var c = RunAligned(width, a, b, offset, accumulate ? c0 : null, m, k, n, what);
                            for (int i = 0; i < m * n; i++)
                            {
                                double tol = 1e-5 * Math.Sqrt(k) * scale[i] + 1e-30;
                                Assert.True(Math.Abs(c[i] - expected[i]) <= tol, $"{what}: C[{i / n},{i % n}] = {c[i]:R}, expected {expected[i]:R} ± {tol:G3}");
                            }

                            if (first is null)
                                first = c;
                            else
                                SameBits(first, c, what + " vs width 512");
                        }
                    }
            }
    }

    /// <summary>
    /// C = (C₀ +) A·B on one thread with B copied to <paramref name="offset"/> floats past a 64-byte boundary and C placed
    /// between sentinels, which must survive.
    /// </summary>
    private static unsafe float[] RunAligned(int width, float[] a, float[] b, int offset, float[]? c0, int m, int k, int n, string what)
    {
        var bBuffer = GC.AllocateArray<float>(b.Length + 32, pinned: true);
        var cBuffer = new float[m * n + 40];
        cBuffer.AsSpan().Fill(Sentinel);
        var c = cBuffer.AsSpan(20, m * n);
        if (c0 is null)
            c.Fill(float.NaN);
        else
            c0.CopyTo(c);
        fixed (float* pb = bBuffer)
        {
            int start = (int)((64 - (nint)pb % 64) % 64 / sizeof(float)) + offset;
            b.CopyTo(bBuffer, start);
            using var scope = KernelSettings.Override(maxThreads: 1, maxVectorWidth: width);
            Gemm.MatMul(a, bBuffer.AsSpan(start, b.Length), c, m, k, n, c0 is not null);
        }

        Assert.True(cBuffer.AsSpan(0, 20).ToArray().All(v => v == Sentinel), $"{what}: wrote before C");
        Assert.True(cBuffer.AsSpan(20 + m * n).ToArray().All(v => v == Sentinel), $"{what}: wrote past C[m·n]");
        return c.ToArray();
    }

    [Fact]
    public void ScalarPathDoesNotDependOnThreadCount()
    {
        var a = Random(90 * 70, 7);
        var b = Random(70 * 100, 8);
        foreach (var form in Enum.GetValues<Form>())
            SameBits(RunWith(0, 1, form, a, b, null, 90, 70, 100), RunWith(0, 2, form, a, b, null, 90, 70, 100), $"{form} scalar threads=2 vs 1");

        // The few-row kernel, split by columns.
        var x = Random(2 * 512, 9);
        var w = Random(512 * 1100, 10);
        var c0 = Random(2 * 1100, 11);
        SameBits(RunWith(0, 1, Form.AB, x, w, c0, 2, 512, 1100), RunWith(0, 3, Form.AB, x, w, c0, 2, 512, 1100), "AB 2x512x1100 scalar threads=3 vs 1");
    }

    [Fact]
    public void EmptyReductionClearsOrKeepsC()
    {
        var c = new[] { 1f, 2f, 3f, 4f, 5f, 6f };
        Gemm.MatMul([], [], c, 2, 0, 3, accumulate: true);
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], c);
        Gemm.MatMulTransB([], [], c, 2, 0, 3, accumulate: false);
        Assert.Equal(new float[6], c);
    }

    [Fact]
    public void EmptyOutputIsANoOp()
    {
        var c = new[] { 7f };
        Gemm.MatMulTransA(new float[5], [], c, 0, 5, 0, accumulate: false);
        Gemm.MatMul([], new float[4], [], 0, 2, 2, accumulate: false);
        Assert.Equal(7f, c[0]);
    }

    [Fact]
    public void TooSmallBuffersThrow()
    {
        Assert.Throws<ArgumentException>(() => Gemm.MatMul(new float[5], new float[6], new float[6], 2, 3, 2, accumulate: false));
        Assert.Throws<ArgumentException>(() => Gemm.MatMulTransB(new float[6], new float[5], new float[4], 2, 3, 2, accumulate: false));
        Assert.Throws<ArgumentException>(() => Gemm.MatMulTransA(new float[6], new float[6], new float[3], 2, 3, 2, accumulate: false));
    }

    [Fact]
    public void KnownProduct()
    {
        // [1 2; 3 4] · [5 6; 7 8] = [19 22; 43 50]; the other forms get the same operands transposed.
        float[] expected = [19, 22, 43, 50];
        foreach (int width in GemmWidths)
        {
            var c = new float[4];
            using (KernelSettings.Override(maxVectorWidth: width))
            {
                Gemm.MatMul([1, 2, 3, 4], [5, 6, 7, 8], c, 2, 2, 2, accumulate: false);
                Assert.Equal(expected, c);
                Gemm.MatMulTransB([1, 2, 3, 4], [5, 7, 6, 8], c, 2, 2, 2, accumulate: false);
                Assert.Equal(expected, c);
                Gemm.MatMulTransA([1, 3, 2, 4], [5, 6, 7, 8], c, 2, 2, 2, accumulate: true);
                Assert.Equal([38f, 44f, 86f, 100f], c);
            }
        }
    }

    /// <summary>
    /// Matrix–vector products from several threads at once: one of them gets the partner thread, the others
    /// compute alone, and every result has the single-thread bits.
    /// </summary>
    [Fact]
    public void ConcurrentMatrixVectorProductsKeepTheirBits()
    {
        const int k = 256, n = 640;
        var b = Random(k * n, 21);
        var inputs = Enumerable.Range(0, 4).Select(i => Random(k, 30 + i)).ToArray();
        var expected = inputs.Select(a => RunWith(512, 1, Form.AB, a, b, null, 1, k, n)).ToArray();
        Parallel.For(0, inputs.Length, new ParallelOptions { MaxDegreeOfParallelism = inputs.Length }, i =>
        {
            for (int rep = 0; rep < 200; rep++)
                SameBits(expected[i], RunWith(512, 2, Form.AB, inputs[i], b, null, 1, k, n), $"caller {i}, call {rep}");
        });
    }

    /// <summary>C (with three sentinels after m·n) after one product; C starts as c0 or as NaN when not accumulating.</summary>
    private static float[] RunWith(int width, int threads, Form form, float[] a, float[] b, float[]? c0, int m, int k, int n)
    {
        var c = new float[m * n + 3];
        c.AsSpan().Fill(Sentinel);
        if (c0 is null)
            c.AsSpan(0, m * n).Fill(float.NaN);
        else
            c0.CopyTo(c, 0);
        using var scope = KernelSettings.Override(maxThreads: threads, maxVectorWidth: width);
        switch (form)
        {
            case Form.AB:
                Gemm.MatMul(a, b, c, m, k, n, c0 is not null);
                break;
            case Form.ABt:
                Gemm.MatMulTransB(a, b, c, m, k, n, c0 is not null);
                break;
            default:
                Gemm.MatMulTransA(a, b, c, m, k, n, c0 is not null);
                break;
        }

        return c;
    }

    /// <summary>C₀ + A·B in double, and Σ|A·B| + |C₀| per element as the scale of its rounding error.</summary>
    private static (double[] Value, double[] Scale) Reference(Form form, float[] a, float[] b, float[]? c0, int m, int k, int n)
    {
        var value = new double[m * n];
        var scale = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = c0?[i * n + j] ?? 0, abs = Math.Abs(s);
                for (int p = 0; p < k; p++)
                {
                    double av = form == Form.AtB ? a[p * m + i] : a[i * k + p];
                    double bv = form == Form.ABt ? b[j * k + p] : b[p * n + j];
                    s += av * bv;
                    abs += Math.Abs(av * bv);
                }

                value[i * n + j] = s;
                scale[i * n + j] = abs;
            }

        return (value, scale);
    }
}
