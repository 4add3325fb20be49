namespace Microsoft.ML.Recurrent.Numerics;

/// <summary>Out-of-place transpose of a row-major matrix.</summary>
internal static class MatrixTranspose
{
    private const int Block = 16;

    /// <summary>dst[cols, rows] = src[rows, cols]ᵀ, in cache-sized blocks.</summary>
    public static void Transpose(ReadOnlySpan<float> src, Span<float> dst, int rows, int cols)
    {
        if ((long)rows * cols > src.Length || (long)rows * cols > dst.Length)
            throw new ArgumentException($"Buffers too small for a {rows}×{cols} transpose.");
        for (int i0 = 0; i0 < rows; i0 += Block)
            for (int j0 = 0; j0 < cols; j0 += Block)
            {
                int i1 = Math.Min(i0 + Block, rows), j1 = Math.Min(j0 + Block, cols);
                for (int i = i0; i < i1; i++)
                    for (int j = j0; j < j1; j++)
                        dst[j * rows + i] = src[i * cols + j];
            }
    }
}
