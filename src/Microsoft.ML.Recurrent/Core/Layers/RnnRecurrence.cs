using Microsoft.ML.Recurrent.Numerics;

namespace Microsoft.ML.Recurrent.Layers;

/// <summary>Vanilla RNN: h_t = tanh(xg_t + h_{t−1}·Wh).</summary>
internal sealed class RnnRecurrence(ParameterStore store, string name, int hidden)
    : Recurrence(store, name, hidden, gates: 1, recurrentBias: false)
{
    public override RecurrenceCache CreateCache(int maxSteps, int batch) => new RecurrenceCache(maxSteps, batch, Hidden, Hidden);

    // xg_t [B, H], h_t -> h_{t+1}
    public override void ForwardStep(RecurrenceCache cache, Span<float> xg, int t)
    {
        var h = cache.H(t + 1);
        xg.CopyTo(h);
        Gemm.MatMul(cache.H(t), RecurrentWeight.Value, h, cache.Batch, Hidden, Hidden, accumulate: true);
        GateKernels.RnnForward(h);
    }

    // dh_t [B, H], carried dh_{t+1} -> dxg_t [B, H]; carried dh_t
    public override void BackwardStep(RecurrenceCache cache, ReadOnlySpan<float> dh, Span<float> dxg, int t)
    {
        var dhRec = cache.InitialStateGradient.H;
        GateKernels.RnnBackward(cache.H(t + 1), dh, dhRec, dxg);
        Gemm.MatMul(dxg, cache.TransposedWeight, dhRec, cache.Batch, Hidden, Hidden, accumulate: false);
    }

    // dxg [T·B, H] -> dWh += hsᵀ·dxg
    public override void EndBackward(RecurrenceCache cache, ReadOnlySpan<float> dxg, int steps)
        => Gemm.MatMulTransA(cache.Hs.AsSpan(0, steps * cache.Batch * Hidden), dxg, RecurrentWeight.Gradient, Hidden, steps * cache.Batch, Hidden, accumulate: true);
}
