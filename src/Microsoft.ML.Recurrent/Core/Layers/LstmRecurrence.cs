using Microsoft.ML.Recurrent.Numerics;

namespace Microsoft.ML.Recurrent.Layers;

/// <summary>
/// LSTM: [i f o g] = xg_t + h_{t−1}·Wh; i, f, o = σ(·), g = tanh(·); c_t = f⊙c_{t−1} + i⊙g; h_t = o⊙tanh(c_t).
/// The four gate GEMMs are one GEMM against the fused Wh [H, 4H]. The gates are computed in place in the
/// xg buffer, which then holds the gate activations for backward, which turns them into their gradients in
/// place: no copy of xg and no gate buffer of its own.
/// </summary>
internal sealed class LstmRecurrence(ParameterStore store, string name, int hidden)
    : Recurrence(store, name, hidden, gates: 4, recurrentBias: false)
{
    public override bool HasCell => true;

    public override RecurrenceCache CreateCache(int maxSteps, int batch) => new LstmCache(maxSteps, batch, Hidden);

    // xg_t [B, 4H], (h_t, c_t) -> (h_{t+1}, c_{t+1}); xg_t keeps the gate activations
    public override void ForwardStep(RecurrenceCache cache, Span<float> xg, int t)
    {
        var c = (LstmCache)cache;
        int bh = c.Batch * Hidden;
        Gemm.MatMul(c.H(t), RecurrentWeight.Value, xg, c.Batch, Hidden, 4 * Hidden, accumulate: true);
        GateKernels.LstmForward(xg, c.C(t), c.C(t + 1), c.TanhC.AsSpan(t * bh, bh), c.H(t + 1), c.Batch, Hidden);
    }

    // dh_t [B, H], carried (dh, dc)_{t+1}, dxg_t holding the gate activations -> their gradients; carried (dh, dc)_t
    public override void BackwardStep(RecurrenceCache cache, ReadOnlySpan<float> dh, Span<float> dxg, int t)
    {
        var c = (LstmCache)cache;
        int bh = c.Batch * Hidden;
        var dhRec = c.InitialStateGradient.H;
        var dc = c.InitialStateGradient.C;
        if (c.FinalCellGradient is { } final)
            for (int b = 0; b < c.Batch; b++)
            {
                if (final.Lengths[b] - 1 != t) continue;
                var row = dc.AsSpan(b * Hidden, Hidden);
                System.Numerics.Tensors.TensorPrimitives.Add(row, final.Gradient.AsSpan(b * Hidden, Hidden), row);
            }
        System.Numerics.Tensors.TensorPrimitives.Add(dh, dhRec, c.Scratch);
        GateKernels.LstmBackward(dxg, c.C(t), c.TanhC.AsSpan(t * bh, bh), c.Scratch, dc, dxg, c.Batch, Hidden);
        Gemm.MatMul(dxg, c.TransposedWeight, dhRec, c.Batch, 4 * Hidden, Hidden, accumulate: false);
    }

    // dxg [T·B, 4H] -> dWh += hsᵀ·dxg
    public override void EndBackward(RecurrenceCache cache, ReadOnlySpan<float> dxg, int steps)
        => Gemm.MatMulTransA(cache.Hs.AsSpan(0, steps * cache.Batch * Hidden), dxg, RecurrentWeight.Gradient, Hidden, steps * cache.Batch, 4 * Hidden, accumulate: true);

    // Forward left σ(i), σ(f), σ(o), tanh(g) in xg.
    public override ReadOnlySpan<float> GateActivations(RecurrenceCache cache, ReadOnlySpan<float> xg, int t)
        => xg.Slice(t * cache.Batch * GateWidth, cache.Batch * GateWidth);

    private sealed class LstmCache : RecurrenceCache
    {
        public LstmCache(int maxSteps, int batch, int hidden) : base(maxSteps, batch, hidden, 4 * hidden)
        {
            Cs = new float[(maxSteps + 1) * batch * hidden];
            TanhC = new float[maxSteps * batch * hidden];
            Scratch = new float[batch * hidden];
            InitialStateGradient = new RecurrentState(batch * hidden, hasCell: true);
        }

        public float[] Cs { get; }
        public float[] TanhC { get; }
        public float[] Scratch { get; }
        public override Span<float> C(int t) => Cs.AsSpan(t * Batch * Hidden, Batch * Hidden);
    }
}
