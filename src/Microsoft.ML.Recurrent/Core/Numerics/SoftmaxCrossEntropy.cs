using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Microsoft.ML.Recurrent.Numerics;

/// <summary>
/// Softmax with cross-entropy over rows of logits, fused with its gradient. The element-wise passes are
/// <see cref="VectorKernels"/>' (exponentials from <see cref="SimdMath.Exp{T}"/>) and the sums
/// <see cref="VectorKernels.Sum(float*, int, bool, int, float)"/>, so results are identical for every
/// <see cref="KernelSettings.VectorWidth"/>; the row maxima come from TensorPrimitives.Max, which is exact. Compiled fully optimised on first use, like the kernels
/// it calls.
/// </summary>
internal static unsafe class SoftmaxCrossEntropy
{
    // Rows up to this many floats get their scratch from the stack.
    private const int StackFloats = 1024;

    /// <summary>
    /// logits [rows, vocab] are replaced by gradScale · (softmax − onehot(target)); returns the summed
    /// negative log-likelihood (nats) of the targets. A negative target marks a row to ignore (zero gradient).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double ForwardBackward(Span<float> logits, ReadOnlySpan<int> targets, int rows, int vocab, float gradScale)
    {
        Check(logits.Length, targets.Length, rows, vocab);
        int width = KernelSettings.VectorWidth;
        double loss = 0;
        fixed (float* pl = logits)
        {
            for (int r = 0; r < rows; r++)
            {
                var row = logits.Slice(r * vocab, vocab);
                int t = Target(targets[r], vocab);
                if (t < 0)
                {
                    row.Clear();
                    continue;
                }

                float* p = pl + (long)r * vocab;
                VectorKernels.ExpShifted(p, p, vocab, TensorPrimitives.Max(row), width);
                float inv = (float)(1.0 / VectorKernels.Sum(p, vocab, squares: false, width));
                loss -= Math.Log(Math.Max(row[t] * inv, 1e-30f));
                VectorKernels.Scale(p, p, vocab, inv * gradScale, width);
                row[t] -= gradScale;
            }
        }

        return loss;
    }

    /// <summary>Summed negative log-likelihood (nats) of the targets; logits are left unchanged.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Loss(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, int rows, int vocab)
    {
        Check(logits.Length, targets.Length, rows, vocab);
        int width = KernelSettings.VectorWidth;
        float[]? rented = vocab > StackFloats ? ArrayPool<float>.Shared.Rent(vocab) : null;
        Span<float> scratch = rented is null ? stackalloc float[vocab] : rented.AsSpan(0, vocab);
        double loss = 0;
        fixed (float* pl = logits, ps = scratch)
        {
            for (int r = 0; r < rows; r++)
            {
                int t = Target(targets[r], vocab);
                if (t < 0)
                    continue;
                var row = logits.Slice(r * vocab, vocab);
                float max = TensorPrimitives.Max(row);
                VectorKernels.ExpShifted(pl + (long)r * vocab, ps, vocab, max, width);
                loss += Math.Log(VectorKernels.Sum(ps, vocab, squares: false, width)) - ((double)row[t] - max);
            }
        }

        if (rented is not null)
            ArrayPool<float>.Shared.Return(rented);
        return loss;
    }

    /// <summary>Softmax of logits / temperature into probs (same length).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Softmax(ReadOnlySpan<float> logits, Span<float> probs, float temperature)
    {
        if (probs.Length != logits.Length)
            throw new ArgumentException($"Lengths differ: logits {logits.Length}, probs {probs.Length}.", nameof(probs));
        if (logits.IsEmpty)
            return;
        int width = KernelSettings.VectorWidth;
        fixed (float* pl = logits, p = probs)
        {
            VectorKernels.Divide(pl, p, probs.Length, temperature, width);
            VectorKernels.ExpShifted(p, p, probs.Length, TensorPrimitives.Max(probs), width);
            VectorKernels.Scale(p, p, probs.Length, (float)(1.0 / VectorKernels.Sum(p, probs.Length, squares: false, width)), width);
        }
    }

    private static void Check(int logits, int targets, int rows, int vocab)
    {
        if (rows < 0 || vocab <= 0 && rows > 0)
            throw new ArgumentOutOfRangeException(rows < 0 ? nameof(rows) : nameof(vocab), "Rows must not be negative and a row needs a vocabulary.");
        if (logits < (long)rows * vocab || targets < rows)
            throw new ArgumentException($"Buffers too small: logits {logits}/{(long)rows * vocab}, targets {targets}/{rows}.");
    }

    private static int Target(int t, int vocab) =>
        t < vocab ? t : throw new ArgumentOutOfRangeException(nameof(t), t, $"Target must be below the vocabulary size {vocab}.");
}
