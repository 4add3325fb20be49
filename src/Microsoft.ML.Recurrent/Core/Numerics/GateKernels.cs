using System.Runtime.CompilerServices;

namespace Microsoft.ML.Recurrent.Numerics;

/// <summary>
/// Fused element-wise math of the recurrent cells for one time step over a minibatch of B rows.
/// Gate blocks within a row are laid out contiguously: LSTM [i | f | o | g], GRU [r | z | n], each H wide.
/// Each kernel is an <see cref="IElementwiseOp"/> that <see cref="Elementwise.Run"/> drives over one row, widest
/// vectors first and one lane for the tail; σ and tanh come from <see cref="SimdMath"/>, so results are identical
/// for every <see cref="KernelSettings.VectorWidth"/>.
/// An output may be the same span as an input of the same shape (e.g. dGates = gates): every element's inputs
/// are read before its outputs are written.
/// </summary>
internal static unsafe class GateKernels
{
    /// <summary>
    /// LSTM step. gates [B,4H]: pre-activations in, activations out (σ for i,f,o; tanh for g).
    /// c = f⊙cPrev + i⊙g; tanhC = tanh(c); h = o⊙tanhC. cPrev, c, tanhC, h are [B,H].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void LstmForward(Span<float> gates, ReadOnlySpan<float> cPrev, Span<float> c, Span<float> tanhC, Span<float> h, int batch, int hidden)
    {
        long bh = Size(batch, hidden), bg = 4 * bh;
        Check(gates.Length, bg, cPrev.Length, bh, c.Length, bh, tanhC.Length, bh, h.Length, bh);
        int width = KernelSettings.VectorWidth;
        fixed (float* pg = gates, pcp = cPrev, pc = c, ptc = tanhC, ph = h)
        {
            for (int b = 0; b < batch; b++)
            {
                long s = (long)b * hidden;
                Elementwise.Run(new LstmForwardOp(pg + 4 * s, pcp + s, pc + s, ptc + s, ph + s, hidden), hidden, width);
            }
        }
    }

    // One batch row: g [4H], cPrev, c, tanhC, h [H].
    private readonly struct LstmForwardOp(float* g, float* cPrev, float* c, float* tanhC, float* h, int hidden) : IElementwiseOp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Invoke<T>(int j) where T : unmanaged, IVec<T>
        {
            float* gj = g + j;
            var i = SimdMath.Sigmoid(T.Load(gj));
            var f = SimdMath.Sigmoid(T.Load(gj + hidden));
            var o = SimdMath.Sigmoid(T.Load(gj + 2 * hidden));
            var gg = SimdMath.Tanh(T.Load(gj + 3 * hidden));
            var cv = f * T.Load(cPrev + j) + i * gg;
            var tc = SimdMath.Tanh(cv);
            T.Store(i, gj);
            T.Store(f, gj + hidden);
            T.Store(o, gj + 2 * hidden);
            T.Store(gg, gj + 3 * hidden);
            T.Store(cv, c + j);
            T.Store(tc, tanhC + j);
            T.Store(o * tc, h + j);
        }
    }

    /// <summary>
    /// LSTM step backward. gates [B,4H] are the activations of the forward step; dh [B,H] is the gradient
    /// reaching h; dc [B,H] holds the gradient reaching c from step t+1 on entry and the gradient for cPrev on
    /// exit. dGates [B,4H] receives the gradient of the gate pre-activations.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void LstmBackward(ReadOnlySpan<float> gates, ReadOnlySpan<float> cPrev, ReadOnlySpan<float> tanhC, ReadOnlySpan<float> dh,
        Span<float> dc, Span<float> dGates, int batch, int hidden)
    {
        long bh = Size(batch, hidden), bg = 4 * bh;
        Check(gates.Length, bg, cPrev.Length, bh, tanhC.Length, bh, dh.Length, bh, dc.Length, bh);
        Check(dGates.Length, bg);
        int width = KernelSettings.VectorWidth;
        fixed (float* pg = gates, pcp = cPrev, ptc = tanhC, pdh = dh, pdc = dc, pdg = dGates)
        {
            for (int b = 0; b < batch; b++)
            {
                long g4 = (long)b * 4 * hidden, s = (long)b * hidden;
                Elementwise.Run(new LstmBackwardOp(pg + g4, pcp + s, ptc + s, pdh + s, pdc + s, pdg + g4, hidden), hidden, width);
            }
        }
    }

    // One batch row: g, dGates [4H], cPrev, tanhC, dh, dc [H].
    private readonly struct LstmBackwardOp(float* g, float* cPrev, float* tanhC, float* dh, float* dc, float* dGates, int hidden) : IElementwiseOp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Invoke<T>(int j) where T : unmanaged, IVec<T>
        {
            var one = T.Create(1f);
            float* gj = g + j, dg = dGates + j;
            var i = T.Load(gj);
            var f = T.Load(gj + hidden);
            var o = T.Load(gj + 2 * hidden);
            var gg = T.Load(gj + 3 * hidden);
            var cp = T.Load(cPrev + j);
            var tc = T.Load(tanhC + j);
            var dhv = T.Load(dh + j);
            var dcv = T.Load(dc + j) + dhv * o * (one - tc * tc);
            T.Store(dcv * gg * i * (one - i), dg);
            T.Store(dcv * cp * f * (one - f), dg + hidden);
            T.Store(dhv * tc * o * (one - o), dg + 2 * hidden);
            T.Store(dcv * i * (one - gg * gg), dg + 3 * hidden);
            T.Store(dcv * f, dc + j);
        }
    }

    /// <summary>
    /// GRU step (PyTorch / ONNX linear_before_reset formulation). xg [B,3H] = x·Wx + bx; hg [B,3H] = hPrev·Wh + bh.
    /// r = σ(xr + hr), z = σ(xz + hz), n = tanh(xn + r⊙hn), h = (1 − z)⊙n + z⊙hPrev.
    /// gates [B,3H] receives r, z, n; hg's n block is kept (backward needs hn).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GruForward(ReadOnlySpan<float> xg, ReadOnlySpan<float> hg, ReadOnlySpan<float> hPrev, Span<float> gates, Span<float> h, int batch, int hidden)
    {
        long bh = Size(batch, hidden), bg = 3 * bh;
        Check(xg.Length, bg, hg.Length, bg, hPrev.Length, bh, gates.Length, bg, h.Length, bh);
        int width = KernelSettings.VectorWidth;
        fixed (float* pxg = xg, phg = hg, php = hPrev, pg = gates, ph = h)
        {
            for (int b = 0; b < batch; b++)
            {
                long g3 = (long)b * 3 * hidden, s = (long)b * hidden;
                Elementwise.Run(new GruForwardOp(pxg + g3, phg + g3, php + s, pg + g3, ph + s, hidden), hidden, width);
            }
        }
    }

    // One batch row: xg, hg, gates [3H], hPrev, h [H].
    private readonly struct GruForwardOp(float* xg, float* hg, float* hPrev, float* gates, float* h, int hidden) : IElementwiseOp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Invoke<T>(int j) where T : unmanaged, IVec<T>
        {
            var one = T.Create(1f);
            float* x = xg + j, hh = hg + j, g = gates + j;
            var r = SimdMath.Sigmoid(T.Load(x) + T.Load(hh));
            var z = SimdMath.Sigmoid(T.Load(x + hidden) + T.Load(hh + hidden));
            var n = SimdMath.Tanh(T.Load(x + 2 * hidden) + r * T.Load(hh + 2 * hidden));
            var hp = T.Load(hPrev + j);
            T.Store(r, g);
            T.Store(z, g + hidden);
            T.Store(n, g + 2 * hidden);
            T.Store((one - z) * n + z * hp, h + j);
        }
    }

    /// <summary>
    /// GRU step backward. dh [B,H] is the gradient reaching h. Writes dxg [B,3H] (gradient of x·Wx + bx),
    /// dhg [B,3H] (gradient of hPrev·Wh + bh) and dhPrev [B,H] (the direct path z⊙dh only; the caller adds dhg·Whᵀ).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GruBackward(ReadOnlySpan<float> gates, ReadOnlySpan<float> hg, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> dh,
        Span<float> dxg, Span<float> dhg, Span<float> dhPrev, int batch, int hidden)
    {
        long bh = Size(batch, hidden), bg = 3 * bh;
        Check(gates.Length, bg, hg.Length, bg, hPrev.Length, bh, dh.Length, bh, dxg.Length, bg);
        Check(dhg.Length, bg, dhPrev.Length, bh);
        int width = KernelSettings.VectorWidth;
        fixed (float* pg = gates, phg = hg, php = hPrev, pdh = dh, pdx = dxg, pdhg = dhg, pdhp = dhPrev)
        {
            for (int b = 0; b < batch; b++)
            {
                long g3 = (long)b * 3 * hidden, s = (long)b * hidden;
                Elementwise.Run(new GruBackwardOp(pg + g3, phg + g3, php + s, pdh + s, pdx + g3, pdhg + g3, pdhp + s, hidden), hidden, width);
            }
        }
    }

    // One batch row: gates, hg, dxg, dhg [3H], hPrev, dh, dhPrev [H].
    private readonly struct GruBackwardOp(float* gates, float* hg, float* hPrev, float* dh, float* dxg, float* dhg, float* dhPrev, int hidden)
        : IElementwiseOp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Invoke<T>(int j) where T : unmanaged, IVec<T>
        {
            var one = T.Create(1f);
            float* g = gates + j, dx = dxg + j, dhh = dhg + j;
            var r = T.Load(g);
            var z = T.Load(g + hidden);
            var n = T.Load(g + 2 * hidden);
            var hn = T.Load(hg + j + 2 * hidden);
            var hp = T.Load(hPrev + j);
            var d = T.Load(dh + j);
            var dnPre = d * (one - z) * (one - n * n);
            var dzPre = d * (hp - n) * z * (one - z);
            var drPre = dnPre * hn * r * (one - r);
            T.Store(drPre, dx);
            T.Store(dzPre, dx + hidden);
            T.Store(dnPre, dx + 2 * hidden);
            T.Store(drPre, dhh);
            T.Store(dzPre, dhh + hidden);
            T.Store(dnPre * r, dhh + 2 * hidden);
            T.Store(d * z, dhPrev + j);
        }
    }

    /// <summary>Vanilla RNN step: pre [B,H] pre-activations in, h = tanh(pre) out (in place).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RnnForward(Span<float> pre)
    {
        fixed (float* p = pre)
            Elementwise.Run(new TanhOp(p), pre.Length, KernelSettings.VectorWidth);
    }

    private readonly struct TanhOp(float* x) : IElementwiseOp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Invoke<T>(int i) where T : unmanaged, IVec<T> => T.Store(SimdMath.Tanh(T.Load(x + i)), x + i);
    }

    /// <summary>
    /// Vanilla RNN step backward: dPre = (dh + dhCarried) ⊙ (1 − h²), the gradient from above and the one carried back
    /// from step t+1 added in the same pass (at batch 1 a separate add is a tenth of the step).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RnnBackward(ReadOnlySpan<float> h, ReadOnlySpan<float> dh, ReadOnlySpan<float> dhCarried, Span<float> dPre)
    {
        Check(h.Length, dPre.Length, dh.Length, dPre.Length, dhCarried.Length, dPre.Length);
        fixed (float* ph = h, pdh = dh, pc = dhCarried, pd = dPre)
            Elementwise.Run(new TanhBackwardOp(ph, pdh, pc, pd), dPre.Length, KernelSettings.VectorWidth);
    }

    private readonly struct TanhBackwardOp(float* h, float* dh, float* dhCarried, float* dPre) : IElementwiseOp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Invoke<T>(int i) where T : unmanaged, IVec<T>
        {
            var hv = T.Load(h + i);
            T.Store((T.Load(dh + i) + T.Load(dhCarried + i)) * (T.Create(1f) - hv * hv), dPre + i);
        }
    }

    private static long Size(int batch, int hidden)
    {
        if (batch < 0 || hidden < 0)
            throw new ArgumentOutOfRangeException(batch < 0 ? nameof(batch) : nameof(hidden), "Sizes must not be negative.");
        return (long)batch * hidden;
    }

    private static void Check(int l1, long n1, int l2 = 0, long n2 = 0, int l3 = 0, long n3 = 0, int l4 = 0, long n4 = 0, int l5 = 0, long n5 = 0)
    {
        if (l1 < n1 || l2 < n2 || l3 < n3 || l4 < n4 || l5 < n5)
            throw new ArgumentException($"Buffers too small: {l1}/{n1}, {l2}/{n2}, {l3}/{n3}, {l4}/{n4}, {l5}/{n5}.");
    }
}
