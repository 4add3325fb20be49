using System.Numerics.Tensors;

namespace Microsoft.ML.Recurrent.Numerics;

/// <summary>
/// Fused element-wise math of the recurrent cells for one time step over a minibatch of B rows.
/// Gate blocks within a row are laid out contiguously: LSTM [i | f | o | g], GRU [r | z | n], each H wide.
/// </summary>
internal static class GateKernels
{
    /// <summary>
    /// LSTM step. gates [B,4H]: pre-activations in, activations out (σ for i,f,o; tanh for g).
    /// c = f⊙cPrev + i⊙g; tanhC = tanh(c); h = o⊙tanhC. cPrev, c, tanhC, h are [B,H].
    /// </summary>
    public static void LstmForward(Span<float> gates, ReadOnlySpan<float> cPrev, Span<float> c, Span<float> tanhC, Span<float> h, int batch, int hidden)
    {
        int g4 = 4 * hidden;
        for (int b = 0; b < batch; b++)
        {
            var row = gates.Slice(b * g4, g4);
            TensorPrimitives.Sigmoid(row[..(3 * hidden)], row[..(3 * hidden)]);
            TensorPrimitives.Tanh(row[(3 * hidden)..], row[(3 * hidden)..]);
            for (int j = 0; j < hidden; j++)
            {
                int s = b * hidden + j;
                float cv = row[hidden + j] * cPrev[s] + row[j] * row[3 * hidden + j];
                c[s] = cv;
                float tc = MathF.Tanh(cv);
                tanhC[s] = tc;
                h[s] = row[2 * hidden + j] * tc;
            }
        }
    }

    /// <summary>
    /// LSTM step backward. gates [B,4H] are the activations of the forward step; dh [B,H] is the gradient
    /// reaching h; dc [B,H] holds the gradient reaching c from step t+1 on entry and the gradient for cPrev on
    /// exit. dGates [B,4H] receives the gradient of the gate pre-activations.
    /// </summary>
    public static void LstmBackward(ReadOnlySpan<float> gates, ReadOnlySpan<float> cPrev, ReadOnlySpan<float> tanhC, ReadOnlySpan<float> dh,
        Span<float> dc, Span<float> dGates, int batch, int hidden)
    {
        int g4 = 4 * hidden;
        for (int b = 0; b < batch; b++)
            for (int j = 0; j < hidden; j++)
            {
                int s = b * hidden + j, r = b * g4;
                float i = gates[r + j], f = gates[r + hidden + j], o = gates[r + 2 * hidden + j], g = gates[r + 3 * hidden + j];
                float tc = tanhC[s];
                float dhv = dh[s];
                float dcv = dc[s] + dhv * o * (1f - tc * tc);
                dGates[r + j] = dcv * g * i * (1f - i);
                dGates[r + hidden + j] = dcv * cPrev[s] * f * (1f - f);
                dGates[r + 2 * hidden + j] = dhv * tc * o * (1f - o);
                dGates[r + 3 * hidden + j] = dcv * i * (1f - g * g);
                dc[s] = dcv * f;
            }
    }

    /// <summary>
    /// GRU step (PyTorch / ONNX linear_before_reset formulation). xg [B,3H] = x·Wx + bx; hg [B,3H] = hPrev·Wh + bh.
    /// r = σ(xr + hr), z = σ(xz + hz), n = tanh(xn + r⊙hn), h = (1 − z)⊙n + z⊙hPrev.
    /// gates [B,3H] receives r, z, n; hg's n block is kept (backward needs hn).
    /// </summary>
    public static void GruForward(ReadOnlySpan<float> xg, ReadOnlySpan<float> hg, ReadOnlySpan<float> hPrev, Span<float> gates, Span<float> h, int batch, int hidden)
    {
        int g3 = 3 * hidden;
        for (int b = 0; b < batch; b++)
            for (int j = 0; j < hidden; j++)
            {
                int s = b * hidden + j, r0 = b * g3;
                float r = Sigmoid(xg[r0 + j] + hg[r0 + j]);
                float z = Sigmoid(xg[r0 + hidden + j] + hg[r0 + hidden + j]);
                float n = MathF.Tanh(xg[r0 + 2 * hidden + j] + r * hg[r0 + 2 * hidden + j]);
                gates[r0 + j] = r;
                gates[r0 + hidden + j] = z;
                gates[r0 + 2 * hidden + j] = n;
                h[s] = (1f - z) * n + z * hPrev[s];
            }
    }

    /// <summary>
    /// GRU step backward. dh [B,H] is the gradient reaching h. Writes dxg [B,3H] (gradient of x·Wx + bx),
    /// dhg [B,3H] (gradient of hPrev·Wh + bh) and dhPrev [B,H] (the direct path z⊙dh only; the caller adds dhg·Whᵀ).
    /// </summary>
    public static void GruBackward(ReadOnlySpan<float> gates, ReadOnlySpan<float> hg, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> dh,
        Span<float> dxg, Span<float> dhg, Span<float> dhPrev, int batch, int hidden)
    {
        int g3 = 3 * hidden;
        for (int b = 0; b < batch; b++)
            for (int j = 0; j < hidden; j++)
            {
                int s = b * hidden + j, r0 = b * g3;
                float r = gates[r0 + j], z = gates[r0 + hidden + j], n = gates[r0 + 2 * hidden + j];
                float hn = hg[r0 + 2 * hidden + j];
                float d = dh[s];
                float dnPre = d * (1f - z) * (1f - n * n);
                float dzPre = d * (hPrev[s] - n) * z * (1f - z);
                float drPre = dnPre * hn * r * (1f - r);
                dxg[r0 + j] = drPre;
                dxg[r0 + hidden + j] = dzPre;
                dxg[r0 + 2 * hidden + j] = dnPre;
                dhg[r0 + j] = drPre;
                dhg[r0 + hidden + j] = dzPre;
                dhg[r0 + 2 * hidden + j] = dnPre * r;
                dhPrev[s] = d * z;
            }
    }

    /// <summary>Vanilla RNN step: pre [B,H] pre-activations in, h = tanh(pre) out (in place).</summary>
    public static void RnnForward(Span<float> pre) => TensorPrimitives.Tanh(pre, pre);

    /// <summary>Vanilla RNN step backward: dPre = dh ⊙ (1 − h²).</summary>
    public static void RnnBackward(ReadOnlySpan<float> h, ReadOnlySpan<float> dh, Span<float> dPre)
    {
        for (int i = 0; i < dPre.Length; i++) dPre[i] = dh[i] * (1f - h[i] * h[i]);
    }

    private static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));
}
