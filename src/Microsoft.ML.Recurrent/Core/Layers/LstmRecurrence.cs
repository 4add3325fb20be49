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

    // xg [T·B, 4H], (h0, c0) -> hs [T·B, H]; (h_T, c_T)
    public override void Forward(RecurrenceCache cache, Span<float> xg, RecurrentState state, int steps)
    {
        var c = (LstmCache)cache;
        c.CheckSteps(steps);
        int bh = c.Batch * Hidden, bg = bh * 4;
        state.H.CopyTo(c.H(0));
        state.C.CopyTo(c.C(0));
        for (int t = 0; t < steps; t++)
        {
            var gates = xg.Slice(t * bg, bg);
            Gemm.MatMul(c.H(t), RecurrentWeight.Value, gates, c.Batch, Hidden, 4 * Hidden, accumulate: true);
            GateKernels.LstmForward(gates, c.C(t), c.C(t + 1), c.TanhC.AsSpan(t * bh, bh), c.H(t + 1), c.Batch, Hidden);
        }
        c.H(steps).CopyTo(state.H);
        c.C(steps).CopyTo(state.C);
    }

    // dh [T·B, H], dxg [T·B, 4H] holding the gate activations forward left in xg -> their gradients
    public override void Backward(RecurrenceCache cache, ReadOnlySpan<float> dh, Span<float> dxg, int steps)
    {
        var c = (LstmCache)cache;
        c.CheckSteps(steps);
        int bh = c.Batch * Hidden, bg = bh * 4;
        var dhRec = c.InitialStateGradient.H;
        var dc = c.InitialStateGradient.C;
        Array.Clear(dhRec);
        Array.Clear(dc);
        var whT = TransposedRecurrentWeight(c);
        for (int t = steps - 1; t >= 0; t--)
        {
            var dGates = dxg.Slice(t * bg, bg);
            if (c.FinalCellGradient is { } final)
                for (int b = 0; b < c.Batch; b++)
                {
                    if (final.Lengths[b] - 1 != t) continue;
                    var row = dc.AsSpan(b * Hidden, Hidden);
                    System.Numerics.Tensors.TensorPrimitives.Add(row, final.Gradient.AsSpan(b * Hidden, Hidden), row);
                }
            System.Numerics.Tensors.TensorPrimitives.Add(dh.Slice(t * bh, bh), dhRec, c.Scratch);
            GateKernels.LstmBackward(dGates, c.C(t), c.TanhC.AsSpan(t * bh, bh), c.Scratch, dc, dGates, c.Batch, Hidden);
            Gemm.MatMul(dGates, whT, dhRec, c.Batch, 4 * Hidden, Hidden, accumulate: false);
        }
        Gemm.MatMulTransA(c.Hs.AsSpan(0, steps * bh), dxg[..(steps * bg)], RecurrentWeight.Gradient, Hidden, steps * c.Batch, 4 * Hidden, accumulate: true);
    }

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
