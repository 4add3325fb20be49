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

    // xg_t [B, 3H], h_t -> h_{t+1}
    public override void ForwardStep(RecurrenceCache cache, Span<float> xg, int t)
    {
        var c = (GruCache)cache;
        int bg = c.Batch * 3 * Hidden;
        var hg = c.Hg.AsSpan(t * bg, bg);
        Gemm.MatMul(c.H(t), RecurrentWeight.Value, hg, c.Batch, Hidden, 3 * Hidden, accumulate: false);
        VectorKernels.AddBias(hg, RecurrentBias!.Value, c.Batch, 3 * Hidden);
        GateKernels.GruForward(xg, hg, c.H(t), c.Gates.AsSpan(t * bg, bg), c.H(t + 1), c.Batch, Hidden);
    }

    // dh_t [B, H], carried dh_{t+1} -> dxg_t [B, 3H]; carried dh_t
    public override void BackwardStep(RecurrenceCache cache, ReadOnlySpan<float> dh, Span<float> dxg, int t)
    {
        var c = (GruCache)cache;
        int bg = c.Batch * 3 * Hidden;
        var dhRec = c.InitialStateGradient.H;
        var dhg = c.Dhg.AsSpan(t * bg, bg);
        System.Numerics.Tensors.TensorPrimitives.Add(dh, dhRec, c.Scratch);
        GateKernels.GruBackward(c.Gates.AsSpan(t * bg, bg), c.Hg.AsSpan(t * bg, bg), c.H(t), c.Scratch, dxg, dhg, dhRec, c.Batch, Hidden);
        Gemm.MatMul(dhg, c.TransposedWeight, dhRec, c.Batch, 3 * Hidden, Hidden, accumulate: true);
    }

    // the steps' dhg -> dWh += hsᵀ·dhg, dbh += Σ dhg
    public override void EndBackward(RecurrenceCache cache, ReadOnlySpan<float> dxg, int steps)
    {
        var c = (GruCache)cache;
        var allDhg = c.Dhg.AsSpan(0, steps * c.Batch * 3 * Hidden);
        Gemm.MatMulTransA(c.Hs.AsSpan(0, steps * c.Batch * Hidden), allDhg, RecurrentWeight.Gradient, Hidden, steps * c.Batch, 3 * Hidden, accumulate: true);
        VectorKernels.AccumulateColumnSums(allDhg, RecurrentBias!.Gradient, steps * c.Batch, 3 * Hidden);
    }

    public override ReadOnlySpan<float> GateActivations(RecurrenceCache cache, ReadOnlySpan<float> xg, int t)
        => ((GruCache)cache).Gates.AsSpan(t * cache.Batch * GateWidth, cache.Batch * GateWidth);

    private sealed class GruCache(int maxSteps, int batch, int hidden) : RecurrenceCache(maxSteps, batch, hidden, 3 * hidden)
    {
        public float[] Gates { get; } = new float[maxSteps * batch * 3 * hidden];
        public float[] Hg { get; } = new float[maxSteps * batch * 3 * hidden];
        public float[] Dhg { get; } = new float[maxSteps * batch * 3 * hidden];
        public float[] Scratch { get; } = new float[batch * hidden];
    }
}
