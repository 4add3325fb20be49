using Microsoft.ML.Recurrent.Numerics;

namespace Microsoft.ML.Recurrent.Layers;

/// <summary>Vanilla RNN: h_t = tanh(xg_t + h_{t−1}·Wh).</summary>
internal sealed class RnnRecurrence(ParameterStore store, string name, int hidden)
    : Recurrence(store, name, hidden, gates: 1, recurrentBias: false)
{
    public override RecurrenceCache CreateCache(int maxSteps, int batch) => new RnnCache(maxSteps, batch, Hidden);

    // xg [T·B, H] -> hs [T·B, H]
    public override void Forward(RecurrenceCache cache, Span<float> xg, RecurrentState state, int steps)
    {
        var c = (RnnCache)cache;
        c.CheckSteps(steps);
        int bh = c.Batch * Hidden;
        state.H.CopyTo(c.H(0));
        for (int t = 0; t < steps; t++)
        {
            var h = c.H(t + 1);
            xg.Slice(t * bh, bh).CopyTo(h);
            Gemm.MatMul(c.H(t), RecurrentWeight.Value, h, c.Batch, Hidden, Hidden, accumulate: true);
            GateKernels.RnnForward(h);
        }
        c.H(steps).CopyTo(state.H);
    }

    // dh [T·B, H] -> dxg [T·B, H]
    public override void Backward(RecurrenceCache cache, ReadOnlySpan<float> dh, Span<float> dxg, int steps)
    {
        var c = (RnnCache)cache;
        c.CheckSteps(steps);
        int bh = c.Batch * Hidden;
        var dhRec = c.InitialStateGradient.H;
        Array.Clear(dhRec);
        var whT = TransposedRecurrentWeight(c);
        for (int t = steps - 1; t >= 0; t--)
        {
            var dPre = dxg.Slice(t * bh, bh);
            System.Numerics.Tensors.TensorPrimitives.Add(dh.Slice(t * bh, bh), dhRec, c.Scratch);
            GateKernels.RnnBackward(c.H(t + 1), c.Scratch, dPre);
            Gemm.MatMul(dPre, whT, dhRec, c.Batch, Hidden, Hidden, accumulate: false);
        }
        Gemm.MatMulTransA(c.Hs.AsSpan(0, steps * bh), dxg[..(steps * bh)], RecurrentWeight.Gradient, Hidden, steps * c.Batch, Hidden, accumulate: true);
    }

    private sealed class RnnCache(int maxSteps, int batch, int hidden) : RecurrenceCache(maxSteps, batch, hidden, hidden)
    {
        public float[] Scratch { get; } = new float[batch * hidden];
    }
}
