using Microsoft.ML.Recurrent.Numerics;

namespace Microsoft.ML.Recurrent.Layers;

/// <summary>
/// GRU (PyTorch / ONNX linear_before_reset): hg = h_{t−1}·Wh + bh; r = σ(xr + hr), z = σ(xz + hz),
/// n = tanh(xn + r⊙hn), h_t = (1 − z)⊙n + z⊙h_{t−1}.
/// </summary>
internal sealed class GruRecurrence(ParameterStore store, string name, int hidden)
    : Recurrence(store, name, hidden, gates: 3, recurrentBias: true)
{
    public override RecurrenceCache CreateCache(int maxSteps, int batch) => new GruCache(maxSteps, batch, Hidden);

    // xg [T·B, 3H], h0 -> hs [T·B, H]; h_T
    public override void Forward(RecurrenceCache cache, Span<float> xg, RecurrentState state, int steps)
    {
        var c = (GruCache)cache;
        c.CheckSteps(steps);
        int bh = c.Batch * Hidden, bg = bh * 3;
        state.H.CopyTo(c.H(0));
        for (int t = 0; t < steps; t++)
        {
            var hg = c.Hg.AsSpan(t * bg, bg);
            Gemm.MatMul(c.H(t), RecurrentWeight.Value, hg, c.Batch, Hidden, 3 * Hidden, accumulate: false);
            VectorKernels.AddBias(hg, RecurrentBias!.Value, c.Batch, 3 * Hidden);
            GateKernels.GruForward(xg.Slice(t * bg, bg), hg, c.H(t), c.Gates.AsSpan(t * bg, bg), c.H(t + 1), c.Batch, Hidden);
        }
        c.H(steps).CopyTo(state.H);
    }

    // dh [T·B, H] -> dxg [T·B, 3H]
    public override void Backward(RecurrenceCache cache, ReadOnlySpan<float> dh, Span<float> dxg, int steps)
    {
        var c = (GruCache)cache;
        c.CheckSteps(steps);
        int bh = c.Batch * Hidden, bg = bh * 3;
        var dhRec = c.InitialStateGradient.H;
        Array.Clear(dhRec);
        var whT = TransposedRecurrentWeight(c);
        for (int t = steps - 1; t >= 0; t--)
        {
            var dhg = c.Dhg.AsSpan(t * bg, bg);
            System.Numerics.Tensors.TensorPrimitives.Add(dh.Slice(t * bh, bh), dhRec, c.Scratch);
            GateKernels.GruBackward(c.Gates.AsSpan(t * bg, bg), c.Hg.AsSpan(t * bg, bg), c.H(t), c.Scratch,
                dxg.Slice(t * bg, bg), dhg, dhRec, c.Batch, Hidden);
            Gemm.MatMul(dhg, whT, dhRec, c.Batch, 3 * Hidden, Hidden, accumulate: true);
        }
        var allDhg = c.Dhg.AsSpan(0, steps * bg);
        Gemm.MatMulTransA(c.Hs.AsSpan(0, steps * bh), allDhg, RecurrentWeight.Gradient, Hidden, steps * c.Batch, 3 * Hidden, accumulate: true);
        VectorKernels.AccumulateColumnSums(allDhg, RecurrentBias!.Gradient, steps * c.Batch, 3 * Hidden);
    }

    private sealed class GruCache(int maxSteps, int batch, int hidden) : RecurrenceCache(maxSteps, batch, hidden, 3 * hidden)
    {
        public float[] Gates { get; } = new float[maxSteps * batch * 3 * hidden];
        public float[] Hg { get; } = new float[maxSteps * batch * 3 * hidden];
        public float[] Dhg { get; } = new float[maxSteps * batch * 3 * hidden];
        public float[] Scratch { get; } = new float[batch * hidden];
    }
}
