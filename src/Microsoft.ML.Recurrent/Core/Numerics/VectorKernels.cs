using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.Recurrent.Numerics;

/// <summary>
/// Small vectorised helpers for layers and training. Element-wise results are identical for every
/// <see cref="KernelSettings.VectorWidth"/>; the double-precision sums add the same partial sums in the same
/// order on every path, so they are identical too.
/// The element-wise kernels are <see cref="IElementwiseOp"/>s run by <see cref="Elementwise.Run"/>; the sums,
/// whose lane order is part of their result, have a loop per width. Inner loops are compiled fully optimised on
/// first use (AggressiveOptimization): their tier-0 code is tens of times slower, and tiering up can take longer
/// than a short run.
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
                Add(pm + (long)r * cols, pb, cols, width);
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
                Elementwise.Run(new AddFourRowsOp(ps, pm + (long)r * cols, cols), cols, width);
            for (; r < rows; r++)
                Add(ps, pm + (long)r * cols, cols, width);
        }
    }

    /// <summary>Clamps every element to [−limit, limit]; NaN stays NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Clamp(Span<float> x, float limit)
    {
        fixed (float* p = x)
            Elementwise.Run(new ClampOp(p, limit), x.Length, KernelSettings.VectorWidth);
    }

    /// <summary>Σ x², accumulated in double.</summary>
    public static double SumOfSquares(ReadOnlySpan<float> x)
    {
        fixed (float* p = x)
            return Sum(p, x.Length, squares: true, KernelSettings.VectorWidth);
    }

    /// <summary>
    /// <see cref="Clamp"/> then <see cref="SumOfSquares"/> in one pass over x (the gradient is read once instead of
    /// twice: at min-char-rnn's size a fifth of the optimizer's time), with the same bits as the two calls.
    /// </summary>
    public static double ClampAndSumOfSquares(Span<float> x, float limit)
    {
        fixed (float* p = x)
            return Sum(p, x.Length, squares: true, KernelSettings.VectorWidth, clampLimit: limit);
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
            Scale(p, p, x.Length, s, KernelSettings.VectorWidth);
    }

    // The pointer overloads take the vector width from a caller that calls them once per row.

    /// <summary>acc[i] += x[i] for i &lt; length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Add(float* acc, float* x, int length, int width) => Elementwise.Run(new AddOp(acc, x), length, width);

    /// <summary>y[i] = x[i] · s for i &lt; length (y may be x).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Scale(float* x, float* y, int length, float s, int width) => Elementwise.Run(new ScaleOp(x, y, s), length, width);

    /// <summary>y[i] = x[i] / d for i &lt; length (y may be x).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Divide(float* x, float* y, int length, float d, int width) => Elementwise.Run(new DivideOp(x, y, d), length, width);

    /// <summary>y[i] = e^(x[i] − shift) for i &lt; length (y may be x).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void ExpShifted(float* x, float* y, int length, float shift, int width) =>
        Elementwise.Run(new ExpShiftedOp(x, y, shift), length, width);

    private readonly struct AddOp(float* acc, float* x) : IElementwiseOp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Invoke<T>(int i) where T : unmanaged, IVec<T> => T.Store(T.Load(acc + i) + T.Load(x + i), acc + i);
    }

    // acc [cols] += the four rows [4, cols] at rows, one after another.
    private readonly struct AddFourRowsOp(float* acc, float* rows, int cols) : IElementwiseOp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Invoke<T>(int j) where T : unmanaged, IVec<T>
        {
            float* x = rows + j;
            var s = T.Load(acc + j) + T.Load(x);
            s += T.Load(x + cols);
            s += T.Load(x + 2 * cols);
            s += T.Load(x + 3 * cols);
            T.Store(s, acc + j);
        }
    }

    private readonly struct ClampOp(float* x, float limit) : IElementwiseOp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Invoke<T>(int i) where T : unmanaged, IVec<T> =>
            T.Store(T.Max(T.Min(T.Load(x + i), T.Create(limit)), T.Create(-limit)), x + i);
    }

    private readonly struct ScaleOp(float* x, float* y, float s) : IElementwiseOp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Invoke<T>(int i) where T : unmanaged, IVec<T> => T.Store(T.Load(x + i) * T.Create(s), y + i);
    }

    private readonly struct DivideOp(float* x, float* y, float d) : IElementwiseOp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Invoke<T>(int i) where T : unmanaged, IVec<T> => T.Store(T.Load(x + i) / T.Create(d), y + i);
    }

    private readonly struct ExpShiftedOp(float* x, float* y, float shift) : IElementwiseOp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Invoke<T>(int i) where T : unmanaged, IVec<T> => T.Store(SimdMath.Exp(T.Load(x + i) - T.Create(shift)), y + i);
    }

    /// <summary>
    /// Σ x (or Σ x²) over length floats in double: whole blocks of 32 elements go to 32 lane sums, which are
    /// then added pairwise in a fixed tree (lane l += lane l+16, then l+8, l+4, l+2, l+1), followed by the
    /// remaining elements in order. A float square is exact in double, so every path rounds only the additions,
    /// and the same ones.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static double Sum(float* x, int length, bool squares, int width, float clampLimit = float.PositiveInfinity)
    {
        int blocks = length / SumLanes * SumLanes;
        double total = width switch
        {
            512 => LaneSums512(x, blocks, squares, clampLimit),
            256 => LaneSums256(x, blocks, squares, clampLimit),
            128 => LaneSums128(x, blocks, squares, clampLimit),
            _ => LaneSumsScalar(x, blocks, squares, clampLimit),
        };
        for (int i = blocks; i < length; i++)
        {
            float v = x[i] = ClampOne(x[i], clampLimit);
            total += squares ? (double)v * v : v;
        }
        return total;
    }

    // The clamp of ClampOp (MathF.Min/Max are V1's), one lane; an infinite limit leaves every value (NaN included) as it is.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float ClampOne(float v, float limit) => float.IsPositiveInfinity(limit) ? v : MathF.Max(MathF.Min(v, limit), -limit);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double LaneSums512(float* x, int length, bool squares, float clampLimit)
    {
        // s0 holds lanes 0–7, s1 8–15, s2 16–23, s3 24–31.
        Vector512<double> s0 = default, s1 = default, s2 = default, s3 = default;
        for (int i = 0; i < length; i += SumLanes)
        {
            var (d0, d1) = Vector512.Widen(Load512(x + i, clampLimit));
            var (d2, d3) = Vector512.Widen(Load512(x + i + 16, clampLimit));
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
    private static double LaneSums256(float* x, int length, bool squares, float clampLimit)
    {
        // s0 holds lanes 0–3, s1 4–7, …, s7 28–31.
        Vector256<double> s0 = default, s1 = default, s2 = default, s3 = default;
        Vector256<double> s4 = default, s5 = default, s6 = default, s7 = default;
        for (int i = 0; i < length; i += SumLanes)
        {
            var (d0, d1) = Vector256.Widen(Load256(x + i, clampLimit));
            var (d2, d3) = Vector256.Widen(Load256(x + i + 8, clampLimit));
            var (d4, d5) = Vector256.Widen(Load256(x + i + 16, clampLimit));
            var (d6, d7) = Vector256.Widen(Load256(x + i + 24, clampLimit));
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
    private static double LaneSums128(float* x, int length, bool squares, float clampLimit)
    {
        // s[k] holds lanes 2k and 2k+1; s[k] += s[k + half] for half = 8, 4, 2, 1 is the tree's lane l += lane
        // l + 2·half, and the last step adds the two lanes of s[0].
        const int Accumulators = SumLanes / 2;
        Vector128<double>* s = stackalloc Vector128<double>[Accumulators];
        for (int k = 0; k < Accumulators; k++)
            s[k] = default;
        for (int i = 0; i < length; i += SumLanes)
            for (int k = 0; k < Accumulators; k += 2)
            {
                var (lo, hi) = Vector128.Widen(Load128(x + i + 2 * k, clampLimit));
                s[k] += squares ? lo * lo : lo;
                s[k + 1] += squares ? hi * hi : hi;
            }

        for (int half = Accumulators / 2; half > 0; half /= 2)
            for (int k = 0; k < half; k++)
                s[k] += s[k + half];
        return s[0][0] + s[0][1];
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double LaneSumsScalar(float* x, int length, bool squares, float clampLimit)
    {
        double* lanes = stackalloc double[SumLanes];
        new Span<double>(lanes, SumLanes).Clear();
        for (int i = 0; i < length; i += SumLanes)
            for (int l = 0; l < SumLanes; l++)
            {
                double d = x[i + l] = ClampOne(x[i + l], clampLimit);
                lanes[l] += squares ? d * d : d;
            }

        for (int half = SumLanes / 2; half > 0; half /= 2)
            for (int l = 0; l < half; l++)
                lanes[l] += lanes[l + half];
        return lanes[0];
    }

    // The lane sums' loads; with a finite limit each vector is clamped as ClampOp does and stored back first.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Load512(float* p, float clampLimit)
    {
        var v = Vector512.Load(p);
        if (float.IsPositiveInfinity(clampLimit)) return v;
        v = Vector512.Max(Vector512.Min(v, Vector512.Create(clampLimit)), Vector512.Create(-clampLimit));
        v.Store(p);
        return v;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Load256(float* p, float clampLimit)
    {
        var v = Vector256.Load(p);
        if (float.IsPositiveInfinity(clampLimit)) return v;
        v = Vector256.Max(Vector256.Min(v, Vector256.Create(clampLimit)), Vector256.Create(-clampLimit));
        v.Store(p);
        return v;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Load128(float* p, float clampLimit)
    {
        var v = Vector128.Load(p);
        if (float.IsPositiveInfinity(clampLimit)) return v;
        v = Vector128.Max(Vector128.Min(v, Vector128.Create(clampLimit)), Vector128.Create(-clampLimit));
        v.Store(p);
        return v;
    }

    private static void CheckMatrix(int length, int rows, int cols)
    {
        if (rows < 0 || cols < 0)
            throw new ArgumentOutOfRangeException(rows < 0 ? nameof(rows) : nameof(cols), "Sizes must not be negative.");
        if (length < (long)rows * cols)
            throw new ArgumentException($"Matrix buffer too small: {length}/{(long)rows * cols}.");
    }
}
