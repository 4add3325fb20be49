using Microsoft.ML.Recurrent.Numerics;

namespace Microsoft.ML.Recurrent.Layers;

/// <summary>
/// The recurrent part of a layer: h_t = cell(xg_t, h_{t−1}), where xg = x·Wx + b are the input
/// pre-activations for all T steps, computed beforehand by the caller in one large GEMM (or a row gather for
/// one-hot input). Keeping the input projection outside the recurrence is what leaves room for extra
/// inputs: a conditioning vector (image captioning, Wih·v) is one more projection added into xg, and a
/// bidirectional layer is two recurrences over the same xg width. Rows are time-major: row t·B + b, so the
/// cache's outputs hold every step's hidden state for a classifier to read the last one or pool them, and
/// variable-length sequences fit as a per-step [T, B] mask that carries h (and c) through padded steps.
/// </summary>
internal abstract class Recurrence
{
    protected Recurrence(ParameterStore store, string name, int hidden, int gates, bool recurrentBias)
    {
        Hidden = hidden;
        Gates = gates;
        RecurrentWeight = store.Declare(name + ".Wh", hidden, gates * hidden);
        RecurrentBias = recurrentBias ? store.Declare(name + ".bh", 1, gates * hidden, isBias: true) : null;
    }

    /// <summary>Hidden units H.</summary>
    public int Hidden { get; }
    /// <summary>Gate blocks per step (RNN 1, LSTM 4, GRU 3).</summary>
    public int Gates { get; }
    /// <summary>Width of the input pre-activations, Gates·H.</summary>
    public int GateWidth => Gates * Hidden;
    /// <summary>Wh [H, Gates·H].</summary>
    public Parameter RecurrentWeight { get; }
    /// <summary>bh [Gates·H] (GRU only: its candidate applies the reset gate to Wh·h + bh).</summary>
    public Parameter? RecurrentBias { get; }
    /// <summary>Whether the state carries a cell vector (LSTM).</summary>
    public virtual bool HasCell => false;

    public static Recurrence Create(RecurrentCell cell, ParameterStore store, string name, int hidden) => cell switch
    {
        RecurrentCell.Rnn => new RnnRecurrence(store, name, hidden),
        RecurrentCell.Lstm => new LstmRecurrence(store, name, hidden),
        RecurrentCell.Gru => new GruRecurrence(store, name, hidden),
        _ => throw new ArgumentOutOfRangeException(nameof(cell), cell, "Unknown recurrent cell."),
    };

    /// <summary>Activations for up to <paramref name="maxSteps"/> steps of <paramref name="batch"/> streams.</summary>
    public abstract RecurrenceCache CreateCache(int maxSteps, int batch);

    /// <summary>
    /// Whᵀ [G·H, H] for the per-step dh = dGates·Whᵀ of backward (into <see cref="RecurrenceCache.TransposedWeight"/>):
    /// transposed once per pass, so each of the T steps is a plain A·B product (no per-step packing; a fast
    /// matrix-vector product at batch 1).
    /// </summary>
    private void TransposedRecurrentWeight(RecurrenceCache cache)
        => MatrixTranspose.Transpose(RecurrentWeight.Value, cache.TransposedWeight, Hidden, GateWidth);

    public RecurrentState CreateState(int batch) => new(batch * Hidden, HasCell);

    // xg [T·B, G·H], state (h0, c0) -> cache.Outputs [T·B, H]; state becomes (h_T, c_T).
    // A cell may overwrite xg with what its backward needs; backward then receives the same buffer as dxg.
    public void Forward(RecurrenceCache cache, Span<float> xg, RecurrentState state, int steps)
    {
        cache.CheckSteps(steps);
        Start(cache, state);
        int bg = cache.Batch * GateWidth;
        for (int t = 0; t < steps; t++) ForwardStep(cache, xg.Slice(t * bg, bg), t);
        cache.H(steps).CopyTo(state.H);
        cache.C(steps).CopyTo(state.C);
    }

    /// <summary>Sets the state before step 0 (h0, and c0 for LSTM), for a caller that runs <see cref="ForwardStep"/> itself.</summary>
    public void Start(RecurrenceCache cache, RecurrentState state)
    {
        state.H.CopyTo(cache.H(0));
        state.C.CopyTo(cache.C(0));
    }

    // xg_t [B, G·H], cache's h_t (c_t) -> h_{t+1} (c_{t+1}) in the cache. One step, for a caller whose next input depends
    // on this step's output (a decoder with input feeding); Forward is these steps in order.
    public abstract void ForwardStep(RecurrenceCache cache, Span<float> xg, int t);

    // dh [T·B, H] -> dxg [T·B, G·H] (the buffer forward was given as xg); dWh (dbh) accumulated;
    // cache.InitialStateGradient gets d(h0, c0)
    public void Backward(RecurrenceCache cache, ReadOnlySpan<float> dh, Span<float> dxg, int steps)
    {
        cache.CheckSteps(steps);
        BeginBackward(cache);
        int bh = cache.Batch * Hidden, bg = cache.Batch * GateWidth;
        for (int t = steps - 1; t >= 0; t--) BackwardStep(cache, dh.Slice(t * bh, bh), dxg.Slice(t * bg, bg), t);
        EndBackward(cache, dxg[..(steps * bg)], steps);
    }

    /// <summary>Clears the gradient carried back through the state and transposes Wh, before the first <see cref="BackwardStep"/>.</summary>
    public void BeginBackward(RecurrenceCache cache)
    {
        cache.InitialStateGradient.Reset();
        TransposedRecurrentWeight(cache);
    }

    // dh_t [B, H] (from above), the carried d(h_{t+1}, c_{t+1}) -> dxg_t [B, G·H] (in place of what forward left in
    // xg_t); the carried gradient becomes d(h_t, c_t), d(h0, c0) after step 0. Steps run from the last to the first.
    public abstract void BackwardStep(RecurrenceCache cache, ReadOnlySpan<float> dh, Span<float> dxg, int t);

    // dxg [T·B, G·H] of every step -> dWh (dbh) accumulated, once after the last BackwardStep.
    public abstract void EndBackward(RecurrenceCache cache, ReadOnlySpan<float> dxg, int steps);

    // cache and xg after Forward -> step t's gate activations [B, G·H], blocks in the order of the cell's formula
    // (LSTM i f o g, GRU r z n); empty for a cell without gates (RNN). What a model inspector reads.
    public virtual ReadOnlySpan<float> GateActivations(RecurrenceCache cache, ReadOnlySpan<float> xg, int t) => ReadOnlySpan<float>.Empty;
}

/// <summary>Hidden state (and LSTM cell) of B streams, carried from one chunk to the next.</summary>
internal sealed class RecurrentState(int size, bool hasCell)
{
    public float[] H { get; } = new float[size];
    public float[] C { get; } = hasCell ? new float[size] : [];

    public void Reset()
    {
        Array.Clear(H);
        Array.Clear(C);
    }

    public void CopyFrom(RecurrentState other)
    {
        other.H.CopyTo(H, 0);
        other.C.CopyTo(C, 0);
    }
}

/// <summary>What a recurrence keeps from forward for backward (hs holds h_0..h_T, (T+1)·B·H), and its backward scratch.</summary>
internal class RecurrenceCache(int maxSteps, int batch, int hidden, int gateWidth)
{
    public int MaxSteps { get; } = maxSteps;
    public int Batch { get; } = batch;
    public int Hidden { get; } = hidden;
    public float[] Hs { get; } = new float[(maxSteps + 1) * batch * hidden];
    private float[]? _transposedWeight;

    /// <summary>Scratch for Whᵀ [G·H, H] during backward (allocated on first use: inference never needs it).</summary>
    public float[] TransposedWeight => _transposedWeight ??= new float[gateWidth * Hidden];
    /// <summary>
    /// dLoss/dc of each stream's state after its own last step, for the next backward (LSTM; null when none): stream
    /// b's row joins the cell gradient at step Lengths[b] − 1. What a state read mid-sequence (a bridge from a
    /// padded batch's final states) sends back.
    /// </summary>
    public (float[] Gradient, int[] Lengths)? FinalCellGradient { get; set; }
    /// <summary>Gradient with respect to the initial state (h0, then c0 for LSTM) after backward.</summary>
    public RecurrentState InitialStateGradient { get; protected init; } = new(batch * hidden, false);

    /// <summary>Outputs h_1..h_T, [T·B, H].</summary>
    public Span<float> Outputs(int steps) => Hs.AsSpan(Batch * Hidden, steps * Batch * Hidden);

    /// <summary>h_t for t in 0..T, [B, H].</summary>
    public Span<float> H(int t) => Hs.AsSpan(t * Batch * Hidden, Batch * Hidden);

    /// <summary>c_t for t in 0..T, [B, H] (LSTM; empty for cells without a cell vector).</summary>
    public virtual Span<float> C(int t) => Span<float>.Empty;

    public void CheckSteps(int steps)
    {
        if (steps < 1 || steps > MaxSteps)
            throw new ArgumentOutOfRangeException(nameof(steps), steps, $"Steps must be in [1, {MaxSteps}].");
    }
}
