namespace Microsoft.ML.Recurrent.Layers;

/// <summary>
/// L stacked recurrences of one cell type: layer l ≥ 1 reads the outputs of layer l − 1 (after dropout) through
/// a dense projection computed for all T steps in one GEMM, and dropout also applies to the top layer's outputs.
/// Layer 0's input pre-activations belong to the caller (a one-hot row gather, a word-embedding projection plus
/// an image term, ...): it writes them into <see cref="StackWorkspace.FirstInput"/> before forward and reads their
/// gradient from the same buffer after backward.
/// </summary>
internal sealed class StackedRecurrence
{
    private readonly Recurrence[] _recurrences;
    private readonly Dense[] _projections;
    private readonly Dropout? _dropout;

    /// <param name="store">Where the parameters are declared.</param>
    /// <param name="cell">The cell of every layer.</param>
    /// <param name="hidden">Hidden units per layer.</param>
    /// <param name="layers">Number of layers.</param>
    /// <param name="dropout">Dropout between layers and on the top outputs (0 = none).</param>
    /// <param name="declareFirstInput">
    /// Called with layer 0's gate width right after its recurrence is declared, so the caller's layer-0 input
    /// parameters follow it in the parameter arena (the layout model files store).
    /// </param>
    public StackedRecurrence(ParameterStore store, RecurrentCell cell, int hidden, int layers, float dropout, Action<int> declareFirstInput)
    {
        _recurrences = new Recurrence[layers];
        _projections = new Dense[layers - 1];
        _recurrences[0] = Recurrence.Create(cell, store, "layer0", hidden);
        declareFirstInput(_recurrences[0].GateWidth);
        for (int l = 1; l < layers; l++)
        {
            _recurrences[l] = Recurrence.Create(cell, store, $"layer{l}", hidden);
            _projections[l - 1] = new Dense(store, $"layer{l}.input", hidden, _recurrences[l].GateWidth);
        }
        _dropout = dropout > 0 ? new Dropout(dropout) : null;
        Hidden = hidden;
    }

    public int Hidden { get; }
    public IReadOnlyList<Recurrence> Recurrences => _recurrences;
    public IReadOnlyList<Dense> Projections => _projections;
    public bool HasDropout => _dropout != null;

    public RecurrentState[] CreateStates(int batch) => [.. _recurrences.Select(r => r.CreateState(batch))];

    public StackWorkspace CreateWorkspace(int maxSteps, int batch) => new(this, maxSteps, batch);

    // ws.FirstInput [T·B, G0] (the caller's), states -> ws.TopOutput [T·B, H]; dropout only when its seed is given (training)
    public void Forward(StackWorkspace ws, RecurrentState[] states, int steps, DropoutSeed? dropout)
    {
        int rows = steps * ws.Batch;
        ws.DropoutActive = _dropout != null && dropout != null;
        for (int l = 0; l < _recurrences.Length; l++)
        {
            var rec = _recurrences[l];
            var xg = ws.Xg[l].AsSpan(0, rows * rec.GateWidth);
            if (l > 0) _projections[l - 1].Forward(ws.LayerInput(l, steps), xg, rows);
            rec.Forward(ws.Caches[l], xg, states[l], steps);
            if (ws.DropoutActive)
            {
                int n = rows * Hidden;
                _dropout!.Forward(ws.Caches[l].Outputs(steps), ws.Dropped[l].AsSpan(0, n), ws.Masks[l].AsSpan(0, n), Hidden, ws.Batch, dropout!.Value, l);
            }
        }
    }

    // ws.TopGradient [T·B, H] (the caller's dLoss/dTopOutput) -> parameter gradients; ws.FirstInput becomes layer 0's dxg.
    // Each layer's d(h0, c0) stays in its cache's InitialStateGradient.
    public void Backward(StackWorkspace ws, int steps)
    {
        int rows = steps * ws.Batch, n = rows * Hidden;
        var dA = ws.GradA.AsSpan(0, n);
        var dH = ws.GradB.AsSpan(0, n);
        for (int l = _recurrences.Length - 1; l >= 0; l--)
        {
            // dA: the gradient reaching the input of layer l + 1 (or the top output)
            if (ws.DropoutActive) Dropout.Backward(dA, ws.Masks[l].AsSpan(0, n), dH);
            else dA.CopyTo(dH);
            var rec = _recurrences[l];
            var dxg = ws.Xg[l].AsSpan(0, rows * rec.GateWidth);
            rec.Backward(ws.Caches[l], dH, dxg, steps);
            if (l > 0) _projections[l - 1].Backward(ws.LayerInput(l, steps), dxg, dA, rows);
        }
    }
}

/// <summary>
/// Activation buffers of a <see cref="StackedRecurrence"/> for up to MaxSteps × Batch, allocated once so that
/// training does not allocate. Backward reuses the input pre-activation buffers Xg for their gradients.
/// </summary>
internal sealed class StackWorkspace
{
    public StackWorkspace(StackedRecurrence stack, int maxSteps, int batch)
    {
        if (maxSteps < 1 || batch < 1) throw new ArgumentOutOfRangeException(nameof(batch), "Steps and batch must be positive.");
        MaxSteps = maxSteps;
        Batch = batch;
        int rows = maxSteps * batch;
        Xg = [.. stack.Recurrences.Select(r => new float[rows * r.GateWidth])];
        Caches = [.. stack.Recurrences.Select(r => r.CreateCache(maxSteps, batch))];
        Dropped = [.. stack.Recurrences.Select(_ => stack.HasDropout ? new float[rows * stack.Hidden] : [])];
        Masks = [.. stack.Recurrences.Select(_ => stack.HasDropout ? new float[rows * stack.Hidden] : [])];
        GradA = new float[rows * stack.Hidden];
        GradB = new float[rows * stack.Hidden];
    }

    public int MaxSteps { get; }
    public int Batch { get; }
    public float[][] Xg { get; }
    public RecurrenceCache[] Caches { get; }
    public float[][] Dropped { get; }
    public float[][] Masks { get; }
    public float[] GradA { get; }
    public float[] GradB { get; }
    public bool DropoutActive { get; set; }

    /// <summary>Layer 0's input pre-activations [T·B, G0]: written by the caller, its gradient after backward.</summary>
    public Span<float> FirstInput(int steps) => Xg[0].AsSpan(0, steps * Batch * (Xg[0].Length / (MaxSteps * Batch)));

    /// <summary>The top layer's (dropped-out) outputs, [T·B, H].</summary>
    public Span<float> TopOutput(int steps) => LayerInput(Caches.Length, steps);

    /// <summary>Where the caller puts dLoss/dTopOutput before backward, [T·B, H].</summary>
    public Span<float> TopGradient(int steps) => GradA.AsSpan(0, steps * Batch * Caches[0].Hidden);

    /// <summary>What layer <paramref name="layer"/> reads: the previous layer's (dropped-out) outputs, [T·B, H].</summary>
    public Span<float> LayerInput(int layer, int steps) => DropoutActive
        ? Dropped[layer - 1].AsSpan(0, steps * Batch * Caches[layer - 1].Hidden)
        : Caches[layer - 1].Outputs(steps);
}
