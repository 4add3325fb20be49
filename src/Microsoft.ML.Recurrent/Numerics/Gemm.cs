namespace Microsoft.ML.Recurrent.Numerics;

/// <summary>
/// Single-precision matrix multiply in the three forms backpropagation needs. All matrices are dense,
/// row-major and contiguous. With <c>accumulate</c> the product is added to C, otherwise C is overwritten.
/// Results do not depend on the number of threads: work is split over output tiles only, never over the
/// reduction dimension, so every element is summed in the same order.
/// </summary>
internal static class Gemm
{
    /// <summary>C[m,n] (+)= A[m,k] · B[k,n].</summary>
    public static void MatMul(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool accumulate)
    {
        CheckShapes(a.Length, (long)m * k, b.Length, (long)k * n, c.Length, (long)m * n);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                float s = accumulate ? c[i * n + j] : 0f;
                for (int p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
                c[i * n + j] = s;
            }
    }

    /// <summary>C[m,n] (+)= A[m,k] · B[n,k]ᵀ.</summary>
    public static void MatMulTransB(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool accumulate)
    {
        CheckShapes(a.Length, (long)m * k, b.Length, (long)n * k, c.Length, (long)m * n);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                float s = accumulate ? c[i * n + j] : 0f;
                for (int p = 0; p < k; p++) s += a[i * k + p] * b[j * k + p];
                c[i * n + j] = s;
            }
    }

    /// <summary>C[m,n] (+)= A[k,m]ᵀ · B[k,n].</summary>
    public static void MatMulTransA(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool accumulate)
    {
        CheckShapes(a.Length, (long)k * m, b.Length, (long)k * n, c.Length, (long)m * n);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                float s = accumulate ? c[i * n + j] : 0f;
                for (int p = 0; p < k; p++) s += a[p * m + i] * b[p * n + j];
                c[i * n + j] = s;
            }
    }

    private static void CheckShapes(int aLength, long aNeeded, int bLength, long bNeeded, int cLength, long cNeeded)
    {
        if (aLength < aNeeded || bLength < bNeeded || cLength < cNeeded)
            throw new ArgumentException($"Matrix buffers too small: A {aLength}/{aNeeded}, B {bLength}/{bNeeded}, C {cLength}/{cNeeded}.");
    }
}
