using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.Recurrent.Numerics;

/// <summary>
/// Small vectorised helpers for layers and training. Element-wise results are identical for every
/// <see cref="KernelSettings.VectorWidth"/>; the double-precision sums add the same partial sums in the same
/// order on every path, so they are identical too.
/// Inner loops are compiled fully optimised on first use (AggressiveOptimization): their tier-0 code is tens of
/// times slower, and tiering up can take longer than a short run.
/// </summary>
internal static unsafe class VectorKernels
{
    // Sums are kept in this many interleaved double lanes (element i goes to lane i mod 32): four zmm or eight
    // ymm accumulators, enough independent additions to hide their latency.
    private const int SumLanes = 32;

    /// <summary>Adds bias [cols] to each of the rows of matrix [rows, cols].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddBias(Span<float> matrix, ReadOnlySpan<float> bias, int rows, int cols)
    {
        CheckMatrix(matrix.Length, rows, cols);
        if (bias.Length < cols)
            throw new ArgumentException($"Bias too small: {bias.Length}/{cols}.", nameof(bias));
        int width = KernelSettings.VectorWidth;
        fixed (float* pm = matrix, pb = bias)
        {
            for (int r = 0; r < rows; r++)
            {
                float* row = pm + (long)r * cols;
                int j = 0;
                if (width == 512)
                    j = Add<V512>(row, pb, cols, j);
                if (width >= 256)
                    j = Add<V256>(row, pb, cols, j);
                Add<V1>(row, pb, cols, j);
            }
        }
    }

    /// <summary>sums[j] += Σ_i m[i,j] for m [rows, cols], adding the rows to sums in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AccumulateColumnSums(ReadOnlySpan<float> m, Span<float> sums, int rows, int cols)
    {
        CheckMatrix(m.Length, rows, cols);
        if (sums.Length < cols)
            throw new ArgumentException($"Sums too small: {sums.Length}/{cols}.", nameof(sums));
        int width = KernelSettings.VectorWidth;
        fixed (float* pm = m, ps = sums)
        {
            // Four rows per pass over sums: the same additions in the same order, a quarter of the loads and
            // stores of sums.
            int r = 0;
            for (; r + 4 <= rows; r += 4)
            {
                float* row = pm + (long)r * cols;
                int j = 0;
                if (width == 512)
                    j = AddFourRows<V512>(ps, row, cols, j);
                if (width >= 256)
                    j = AddFourRows<V256>(ps, row, cols, j);
                AddFourRows<V1>(ps, row, cols, j);
            }

            for (; r < rows; r++)
            {
                float* row = pm + (long)r * cols;
                int j = 0;
                if (width == 512)
                    j = Add<V512>(ps, row, cols, j);
                if (width >= 256)
                    j = Add<V256>(ps, row, cols, j);
                Add<V1>(ps, row, cols, j);
            }
        }
    }

    /// <summary>Clamps every element to [−limit, limit]; NaN stays NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Clamp(Span<float> x, float limit)
    {
        int width = KernelSettings.VectorWidth;
        fixed (float* p = x)
        {
            int i = 0;
            if (width == 512)
                i = Clamp<V512>(p, x.Length, limit, i);
            if (width >= 256)
                i = Clamp<V256>(p, x.Length, limit, i);
            Clamp<V1>(p, x.Length, limit, i);
        }
    }

    /// <summary>Σ x², accumulated in double.</summary>
    public static double SumOfSquares(ReadOnlySpan<float> x)
    {
        fixed (float* p = x)
            return Sum(p, x.Length, squares: true, KernelSettings.VectorWidth);
    }

    /// <summary>Σ x, accumulated in double.</summary>
    public static double Sum(ReadOnlySpan<float> x)
    {
        fixed (float* p = x)
            return Sum(p, x.Length, squares: false, KernelSettings.VectorWidth);
    }

    /// <summary>Multiplies every element by s.</summary>
    public static void Scale(Span<float> x, float s)
    {
        fixed (float* p = x)
            Scale(p, x.Length, s, KernelSettings.VectorWidth);
    }

    // The pointer overloads take the vector width from a caller that calls them once per row.

    /// <summary>x[i] ·= s for i &lt; length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Scale(float* x, int length, float s, int width)
    {
        int i = 0;
        if (width == 512)
            i = Scale<V512>(x, length, s, i);
        if (width >= 256)
            i = Scale<V256>(x, length, s, i);
        Scale<V1>(x, length, s, i);
    }

    /// <summary>y[i] = e^(x[i] − shift) for i &lt; length (y may be x).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void ExpShifted(float* x, float* y, int length, float shift, int width)
    {
        int i = 0;
        if (width == 512)
            i = ExpShifted<V512>(x, y, length, shift, i);
        if (width >= 256)
            i = ExpShifted<V256>(x, y, length, shift, i);
        ExpShifted<V1>(x, y, length, shift, i);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Add<T>(float* acc, float* x, int length, int i) where T : unmanaged, IVec<T>
    {
        for (; i + T.Count <= length; i += T.Count)
            T.Store(T.Load(acc + i) + T.Load(x + i), acc + i);
        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int AddFourRows<T>(float* acc, float* rows, int cols, int j) where T : unmanaged, IVec<T>
    {
        for (; j + T.Count <= cols; j += T.Count)
        {
            float* x = rows + j;
            var s = T.Load(acc + j) + T.Load(x);
            s += T.Load(x + cols);
            s += T.Load(x + 2 * cols);
            s += T.Load(x + 3 * cols);
            T.Store(s, acc + j);
        }

        return j;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Clamp<T>(float* x, int length, float limit, int i) where T : unmanaged, IVec<T>
    {
        var hi = T.Create(limit);
        var lo = T.Create(-limit);
        for (; i + T.Count <= length; i += T.Count)
            T.Store(T.Max(T.Min(T.Load(x + i), hi), lo), x + i);
        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Scale<T>(float* x, int length, float s, int i) where T : unmanaged, IVec<T>
    {
        var sv = T.Create(s);
        for (; i + T.Count <= length; i += T.Count)
            T.Store(T.Load(x + i) * sv, x + i);
        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int ExpShifted<T>(float* x, float* y, int length, float shift, int i) where T : unmanaged, IVec<T>
    {
        var sv = T.Create(shift);
        for (; i + T.Count <= length; i += T.Count)
            T.Store(SimdMath.Exp(T.Load(x + i) - sv), y + i);
        return i;
    }

    /// <summary>
    /// Σ x (or Σ x²) over length floats in double: whole blocks of 32 elements go to 32 lane sums, which are
    /// then added pairwise in a fixed tree (lane l += lane l+16, then l+8, l+4, l+2, l+1), followed by the
    /// remaining elements in order. A float square is exact in double, so every path rounds only the additions,
    /// and the same ones.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static double Sum(float* x, int length, bool squares, int width)
    {
        int blocks = length / SumLanes * SumLanes;
        double total = width switch
        {
            512 => LaneSums512(x, blocks, squares),
            256 => LaneSums256(x, blocks, squares),
            _ => LaneSumsScalar(x, blocks, squares),
        };
        for (int i = blocks; i < length; i++)
            total += squares ? (double)x[i] * x[i] : x[i];
        return total;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double LaneSums512(float* x, int length, bool squares)
    {
        // s0 holds lanes 0–7, s1 8–15, s2 16–23, s3 24–31.
        Vector512<double> s0 = default, s1 = default, s2 = default, s3 = default;
        for (int i = 0; i < length; i += SumLanes)
        {
            var (d0, d1) = Vector512.Widen(Vector512.Load(x + i));
            var (d2, d3) = Vector512.Widen(Vector512.Load(x + i + 16));
            if (squares)
            {
                d0 *= d0;
                d1 *= d1;
                d2 *= d2;
                d3 *= d3;
            }

            s0 += d0;
            s1 += d1;
            s2 += d2;
            s3 += d3;
        }

        var t8 = s0 + s2 + (s1 + s3);
        var t4 = t8.GetLower() + t8.GetUpper();
        var t2 = t4.GetLower() + t4.GetUpper();
        return t2[0] + t2[1];
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double LaneSums256(float* x, int length, bool squares)
    {
        // s0 holds lanes 0–3, s1 4–7, …, s7 28–31.
        Vector256<double> s0 = default, s1 = default, s2 = default, s3 = default;
        Vector256<double> s4 = default, s5 = default, s6 = default, s7 = default;
        for (int i = 0; i < length; i += SumLanes)
        {
            var (d0, d1) = Vector256.Widen(Vector256.Load(x + i));
            var (d2, d3) = Vector256.Widen(Vector256.Load(x + i + 8));
            var (d4, d5) = Vector256.Widen(Vector256.Load(x + i + 16));
            var (d6, d7) = Vector256.Widen(Vector256.Load(x + i + 24));
            if (squares)
            {
                d0 *= d0;
                d1 *= d1;
                d2 *= d2;
                d3 *= d3;
                d4 *= d4;
                d5 *= d5;
                d6 *= d6;
                d7 *= d7;
            }

            s0 += d0;
            s1 += d1;
            s2 += d2;
            s3 += d3;
            s4 += d4;
            s5 += d5;
            s6 += d6;
            s7 += d7;
        }

        var t4 = s0 + s4 + (s2 + s6) + (s1 + s5 + (s3 + s7));
        var t2 = t4.GetLower() + t4.GetUpper();
        return t2[0] + t2[1];
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double LaneSumsScalar(float* x, int length, bool squares)
    {
        double* lanes = stackalloc double[SumLanes];
        new Span<double>(lanes, SumLanes).Clear();
        for (int i = 0; i < length; i += SumLanes)
            for (int l = 0; l < SumLanes; l++)
            {
                double d = x[i + l];
                lanes[l] += squares ? d * d : d;
            }

        for (int half = SumLanes / 2; half > 0; half /= 2)
            for (int l = 0; l < half; l++)
                lanes[l] += lanes[l + half];
        return lanes[0];
    }

    private static void CheckMatrix(int length, int rows, int cols)
    {
        if (rows < 0 || cols < 0)
            throw new ArgumentOutOfRangeException(rows < 0 ? nameof(rows) : nameof(cols), "Sizes must not be negative.");
        if (length < (long)rows * cols)
            throw new ArgumentException($"Matrix buffer too small: {length}/{(long)rows * cols}.");
    }
}
