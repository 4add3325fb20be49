using System.Runtime.CompilerServices;

namespace Microsoft.ML.Recurrent.Numerics;

/// <summary>
/// Pools time-major hidden states h [T·B, D·H] (row t·B + b; column block d is direction d) into p [B, D·H],
/// reading only each sequence's own steps t &lt; lengths[b]. Backward writes the gradient of every valid step
/// and zero at padded steps, so padding never receives (or passes on) a gradient. The element-wise passes run
/// through <see cref="Elementwise.Run"/>, so results are identical for every <see cref="KernelSettings.VectorWidth"/>.
/// </summary>
internal static unsafe class PoolingKernels
{
    // h [T·B, D·H] -> p [B, D·H] (and, for max pooling, argMax [B, D·H]: the step each maximum came from)
    public static void Forward(SequencePooling pooling, ReadOnlySpan<float> h, ReadOnlySpan<int> lengths, Span<float> p,
        Span<int> argMax, int hidden, int directions)
    {
        int batch = lengths.Length, width = hidden * directions, vectorWidth = KernelSettings.VectorWidth;
        fixed (float* ph = h, pp = p)
        fixed (int* pa = argMax)
        {
            for (int b = 0; b < batch; b++)
            {
                int length = lengths[b];
                var pb = p.Slice(b * width, width);
                switch (pooling)
                {
                    case SequencePooling.Last:
                        for (int d = 0; d < directions; d++)
                            h.Slice(LastRow(d, length, batch, b) * width + d * hidden, hidden).CopyTo(pb.Slice(d * hidden, hidden));
                        break;
                    case SequencePooling.Mean:
                        pb.Clear();
                        for (int t = 0; t < length; t++)
                            VectorKernels.Add(pp + b * width, ph + (t * batch + b) * width, width, vectorWidth);
                        VectorKernels.Scale(pp + b * width, pp + b * width, width, 1f / length, vectorWidth);
                        break;
                    default:
                        h.Slice(b * width, width).CopyTo(pb);
                        argMax.Slice(b * width, width).Clear();
                        for (int t = 1; t < length; t++)
                            Elementwise.Run(new MaxOp(pp + b * width, pa + b * width, ph + (t * batch + b) * width, t), width, vectorWidth);
                        break;
                }
            }
        }
    }

    // Where row[j] > max[j] (never for NaN, as in the scalar comparison): max[j] = row[j], argMax[j] = step.
    private readonly struct MaxOp(float* max, int* argMax, float* row, int step) : IElementwiseOp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Invoke<T>(int j) where T : unmanaged, IVec<T>
        {
            var m = T.Load(max + j);
            var r = T.Load(row + j);
            T.StoreWhereLess(m, r, argMax + j, step);
            T.Store(T.IfLess(m, r, r, m), max + j);
        }
    }

    // dp [B, D·H] -> dh [T·B, D·H] (overwritten; zero at padded steps)
    public static void Backward(SequencePooling pooling, ReadOnlySpan<float> dp, ReadOnlySpan<int> lengths, ReadOnlySpan<int> argMax,
        Span<float> dh, int hidden, int directions)
    {
        int batch = lengths.Length, width = hidden * directions, vectorWidth = KernelSettings.VectorWidth;
        dh.Clear();
        fixed (float* pdp = dp, pdh = dh)
        {
            for (int b = 0; b < batch; b++)
            {
                int length = lengths[b];
                var db = dp.Slice(b * width, width);
                switch (pooling)
                {
                    case SequencePooling.Last:
                        for (int d = 0; d < directions; d++)
                            db.Slice(d * hidden, hidden).CopyTo(dh.Slice(LastRow(d, length, batch, b) * width + d * hidden, hidden));
                        break;
                    case SequencePooling.Mean:
                        for (int t = 0; t < length; t++)
                            VectorKernels.Scale(pdp + b * width, pdh + (t * batch + b) * width, width, 1f / length, vectorWidth);
                        break;
                    default:
                        // A scatter: each element goes to the row of its own step.
                        var ab = argMax.Slice(b * width, width);
                        for (int j = 0; j < width; j++) dh[(ab[j] * batch + b) * width + j] = db[j];
                        break;
                }
            }
        }
    }

    // The forward direction ends at the sequence's last step; the backward direction (run over the reversed
    // sequence, its outputs put back in original order) ends at step 0.
    private static int LastRow(int direction, int length, int batch, int b) => (direction == 0 ? length - 1 : 0) * batch + b;
}
