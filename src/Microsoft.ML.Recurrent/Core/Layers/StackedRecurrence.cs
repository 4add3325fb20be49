namespace Microsoft.ML.Recurrent.Layers;

/// <summary>
/// L stacked recurrences of one cell type, each layer optionally bidirectional: layer l ≥ 1 reads the outputs of
/// layer l − 1 (after dropout, [forward | backward] side by side, width D·H) through a dense projection per
/// direction computed for all T steps in one GEMM, and dropout also applies to the top layer's outputs.
/// <para>
/// Layer 0's input has two routes. A caller that builds the pre-activations itself (a one-hot row gather, a word
/// projection plus an image term, ...) declares its parameters through the constructor's callback, writes them into
/// <see cref="StackWorkspace.FirstInput"/> before forward and reads their gradient from the same buffer after
/// backward (forward-only stacks). Otherwise the stack owns layer 0's projection from an input of a given width:
/// the caller writes x into <see cref="StackWorkspace.Input"/> and may ask backward for dx.
/// </para>
/// <para>
/// Variable lengths: a batch is B right-padded, time-major sequences (row t·B + b) with per-sequence lengths. The
/// forward direction reads steps in order, so padded steps come after every valid one; the reverse direction runs
/// over each sequence reversed within its own length (padding again comes last); padded rows of every layer's
/// output are zeroed, and padded rows of the top gradient are cleared before backward, so padding never reaches a
/// valid step, an output or a gradient.
/// </para>
/// </summary>
internal sealed class StackedRecurrence
{
    private readonly Recurrence[] _recurrences;
    private readonly Dense?[] _projections;
    private readonly Dropout? _dropout;

    /// <summary>A forward-only stack whose layer-0 pre-activations belong to the caller.</summary>
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
        : this(store, new StackShape(cell, hidden, layers), 0, dropout, declareFirstInput ?? throw new ArgumentNullException(nameof(declareFirstInput)), "")
    {
    }

    /// <summary>A stack that owns layer 0's input projection from <paramref name="inputWidth"/> values per step.</summary>
    /// <param name="store">Where the parameters are declared.</param>
    /// <param name="shape">Cell, hidden width, layers and directions.</param>
    /// <param name="inputWidth">Values per step of what the caller writes into <see cref="StackWorkspace.Input"/>.</param>
    /// <param name="dropout">Dropout between layers and on the top outputs (0 = none).</param>
    /// <param name="prefix">Starts every parameter name, for a model with more than one stack.</param>
    public StackedRecurrence(ParameterStore store, StackShape shape, int inputWidth, float dropout = 0f, string prefix = "")
        : this(store, shape, inputWidth > 0 ? inputWidth : throw new ArgumentOutOfRangeException(nameof(inputWidth), inputWidth, "The input width must be positive."),
            dropout, null, prefix)
    {
    }

    // Per layer, per direction: the recurrence, then its input projection (or the caller's layer-0 parameters).
    private StackedRecurrence(ParameterStore store, StackShape shape, int inputWidth, float dropout, Action<int>? declareFirstInput, string prefix)
    {
        shape.Validate();
        Shape = shape;
        InputWidth = inputWidth;
        int directions = shape.Directions;
        _recurrences = new Recurrence[shape.Layers * directions];
        _projections = new Dense?[_recurrences.Length];
        for (int l = 0; l < shape.Layers; l++)
            for (int d = 0; d < directions; d++)
            {
                string name = prefix + (shape.Bidirectional ? $"layer{l}.{(d == 0 ? "forward" : "backward")}" : $"layer{l}");
                var rec = _recurrences[l * directions + d] = Recurrence.Create(shape.Cell, store, name, shape.Hidden);
                if (l == 0 && declareFirstInput != null) declareFirstInput(rec.GateWidth);
                else _projections[l * directions + d] = new Dense(store, name + ".input", l == 0 ? inputWidth : shape.OutputWidth, rec.GateWidth);
            }
        _dropout = dropout > 0 ? new Dropout(dropout) : null;
    }

    /// <summary>Cell, hidden width, layers and directions.</summary>
    public StackShape Shape { get; }
    /// <summary>Hidden units per layer and direction.</summary>
    public int Hidden => Shape.Hidden;
    /// <summary>Width of <see cref="StackWorkspace.Input"/> (0 when layer 0's pre-activations belong to the caller).</summary>
    public int InputWidth { get; }
    /// <summary>Every recurrence, layer l direction d at index l·D + d.</summary>
    public IReadOnlyList<Recurrence> Recurrences => _recurrences;
    /// <summary>Whether dropout applies between layers and to the top outputs in training.</summary>
    public bool HasDropout => _dropout != null;

    /// <summary>Layer <paramref name="layer"/>, direction <paramref name="direction"/>'s recurrence.</summary>
    public Recurrence RecurrenceAt(int layer, int direction) => _recurrences[Index(layer, direction)];

    /// <summary>The input projection of a layer and direction; null for layer 0 when its pre-activations belong to the caller.</summary>
    public Dense? ProjectionAt(int layer, int direction) => _projections[Index(layer, direction)];

    /// <summary>One state per layer and direction (index l·D + d), zero.</summary>
    public RecurrentState[] CreateStates(int batch) => [.. _recurrences.Select(r => r.CreateState(batch))];

    /// <summary>Buffers for batches of <paramref name="batch"/> sequences of up to <paramref name="maxSteps"/> steps.</summary>
    public StackWorkspace CreateWorkspace(int maxSteps, int batch) => new(this, maxSteps, batch);

    // ws.FirstInput [T·B, G0] or ws.Input [T·B, In] (the caller's), states -> ws.TopOutput [T·B, D·H].
    // states: null = zero initial states, else one per layer and direction, which become the states after step T.
    // lengths: empty = every sequence is T steps. Dropout only when its seed is given (training).
    public void Forward(StackWorkspace ws, RecurrentState[]? states, int steps, DropoutSeed? dropout, ReadOnlySpan<int> lengths = default)
    {
        if (states != null && states.Length != _recurrences.Length)
            throw new ArgumentException($"Expected {_recurrences.Length} states (one per layer and direction), got {states.Length}.", nameof(states));
        ws.Begin(lengths, steps);
        int directions = Shape.Directions, rows = steps * ws.Batch, width = Shape.OutputWidth;
        ws.DropoutActive = _dropout != null && dropout != null;
        for (int l = 0; l < Shape.Layers; l++)
        {
            ReadOnlySpan<float> input = l == 0 ? ws.Input(steps) : ws.LayerInput(l, steps);
            for (int d = 0; d < directions; d++)
            {
                int i = l * directions + d;
                var rec = _recurrences[i];
                int g = rec.GateWidth;
                var xg = ws.Xg[i].AsSpan(0, rows * g);
                if (_projections[i] is { } projection)
                {
                    if (d == 0) projection.Forward(input, xg, rows);
                    else
                    {
                        var natural = ws.Scratch.AsSpan(0, rows * g);
                        projection.Forward(input, natural, rows);
                        Permute(natural, xg, ws.Reversed, g);
                    }
                }
                var state = states?[i] ?? ws.ZeroState();
                rec.Forward(ws.Caches[i], xg, state, steps);
                if (directions == 2)
                {
                    var hs = ws.Caches[i].Outputs(steps);
                    var output = ws.Concatenated[l].AsSpan(0, rows * width);
                    for (int r = 0; r < rows; r++)
                        hs.Slice(r * Hidden, Hidden).CopyTo(output.Slice((d == 0 ? r : ws.Reversed[r]) * width + d * Hidden, Hidden));
                }
            }
            if (ws.Masked) ws.ClearPadding(ws.LayerOutput(l, steps), width);
            if (ws.DropoutActive)
            {
                int n = rows * width;
                _dropout!.Forward(ws.LayerOutput(l, steps), ws.Dropped[l].AsSpan(0, n), ws.Masks[l].AsSpan(0, n), width, ws.Batch, dropout!.Value, l);
            }
        }
    }

    // ws.TopGradient [T·B, D·H] (the caller's dLoss/dTopOutput), and any final-state gradients added since forward,
    // -> parameter gradients; with the caller's layer 0,
    // ws.FirstInput becomes its dxg; with the stack's, ws.InputGradient gets dx [T·B, In] when inputGradient is set.
    // Each recurrence's d(h0, c0) stays in its cache's InitialStateGradient.
    public void Backward(StackWorkspace ws, int steps, bool inputGradient = false)
    {
        if (steps != ws.Steps) throw new ArgumentOutOfRangeException(nameof(steps), steps, $"The last forward ran {ws.Steps} steps.");
        int directions = Shape.Directions, rows = steps * ws.Batch, width = Shape.OutputWidth;
        var dA = ws.GradA.AsSpan(0, rows * width); // the gradient reaching layer l's outputs
        var next = ws.GradB.AsSpan(0, rows * width); // where layer l puts the gradient of layer l − 1's outputs
        if (ws.Masked) ws.ClearPadding(dA, width);
        for (int l = Shape.Layers - 1; l >= 0; l--)
        {
            if (ws.DropoutActive) Dropout.Backward(dA, ws.Masks[l].AsSpan(0, dA.Length), dA);
            for (int d = 0; d < directions; d++) AddFinalStateGradient(ws, l, d, dA);
            ReadOnlySpan<float> input = l == 0 ? ws.Input(steps) : ws.LayerInput(l, steps);
            var dx = l > 0 ? next : inputGradient && InputWidth > 0 ? ws.InputGradient.AsSpan(0, rows * InputWidth) : Span<float>.Empty;
            var dxPart = directions == 2 && !dx.IsEmpty ? ws.InputGradientPart.AsSpan(0, dx.Length) : Span<float>.Empty;
            for (int d = 0; d < directions; d++)
            {
                int i = l * directions + d;
                var rec = _recurrences[i];
                int g = rec.GateWidth;
                ReadOnlySpan<float> dh = dA;
                if (directions == 2)
                {
                    var own = ws.HiddenGradient.AsSpan(0, rows * Hidden);
                    for (int r = 0; r < rows; r++)
                        dA.Slice((d == 0 ? r : ws.Reversed[r]) * width + d * Hidden, Hidden).CopyTo(own.Slice(r * Hidden, Hidden));
                    dh = own;
                }
                var dxg = ws.Xg[i].AsSpan(0, rows * g);
                rec.Backward(ws.Caches[i], dh, dxg, steps);
                if (_projections[i] is not { } projection) continue; // the caller's layer 0: dxg stays in FirstInput
                ReadOnlySpan<float> dy = dxg;
                if (d == 1)
                {
                    Permute(dxg, ws.Scratch.AsSpan(0, rows * g), ws.Reversed, g);
                    dy = ws.Scratch.AsSpan(0, rows * g);
                }
                projection.Backward(input, dy, d == 0 ? dx : dxPart, rows);
                if (d == 1 && !dx.IsEmpty) System.Numerics.Tensors.TensorPrimitives.Add(dx, dxPart, dx);
            }
            var done = dA;
            dA = next;
            next = done;
        }
        ws.ClearFinalStateGradients(); // they belong to this backward
    }

    // Step by step, for a decoder whose next input depends on this step's output (input feeding): BeginSteps, then
    // ForwardStep(t) for t = 0, 1, ... with step t's rows of ws.Input written before each; backward: BeginBackwardSteps,
    // then BackwardStep(t) from the last step to the first with step t's rows of ws.TopGradient written before each,
    // then EndBackwardSteps. Forward-only stacks with their own layer-0 projection; every stream runs every step (a
    // padded step's output gradient is zero, and it comes after the valid ones).

    // states: null = zero, else one per layer (read here). Dropout (training) when its seed is given, here and to ForwardStep.
    public void BeginSteps(StackWorkspace ws, RecurrentState[]? states, int steps, bool dropout)
    {
        if (Shape.Bidirectional || InputWidth == 0)
            throw new InvalidOperationException("Only a forward-only stack with its own input projection runs step by step.");
        if (states != null && states.Length != _recurrences.Length)
            throw new ArgumentException($"Expected {_recurrences.Length} states (one per layer), got {states.Length}.", nameof(states));
        ws.Begin(default, steps);
        ws.DropoutActive = _dropout != null && dropout;
        for (int i = 0; i < _recurrences.Length; i++) _recurrences[i].Start(ws.Caches[i], states?[i] ?? ws.ZeroState());
    }

    // step t of ws.Input [B, In] -> step t of ws.TopOutput [B, H]
    public void ForwardStep(StackWorkspace ws, int t, DropoutSeed? dropout)
    {
        int batch = ws.Batch, steps = ws.Steps, h = Hidden;
        if ((uint)t >= (uint)steps) throw new ArgumentOutOfRangeException(nameof(t), t, $"Step must be in [0, {steps}).");
        for (int l = 0; l < Shape.Layers; l++)
        {
            var rec = _recurrences[l];
            int g = rec.GateWidth, width = l == 0 ? InputWidth : h;
            ReadOnlySpan<float> input = (l == 0 ? ws.Input(steps) : ws.LayerInput(l, steps)).Slice(t * batch * width, batch * width);
            var xg = ws.Xg[l].AsSpan(t * batch * g, batch * g);
            _projections[l]!.Forward(input, xg, batch);
            rec.ForwardStep(ws.Caches[l], xg, t);
            if (!ws.DropoutActive) continue;
            int at = t * batch * h, n = batch * h;
            _dropout!.Forward(ws.LayerOutput(l, steps).Slice(at, n), ws.Dropped[l].AsSpan(at, n), ws.Masks[l].AsSpan(at, n), h, batch,
                dropout ?? throw new ArgumentNullException(nameof(dropout), "BeginSteps turned dropout on."), l, firstStep: t);
        }
    }

    /// <summary>Prepares every recurrence for <see cref="BackwardStep"/> after a stepped forward.</summary>
    public void BeginBackwardSteps(StackWorkspace ws)
    {
        for (int i = 0; i < _recurrences.Length; i++)
        {
            _recurrences[i].BeginBackward(ws.Caches[i]);
            _projections[i]!.TransposeWeight();
        }
    }

    // step t of ws.TopGradient [B, H] -> step t of ws.InputGradient [B, In]
    public void BackwardStep(StackWorkspace ws, int t)
    {
        int batch = ws.Batch, n = batch * Hidden;
        var dA = ws.GradA.AsSpan(t * n, n); // the gradient reaching layer l's outputs at step t
        var next = ws.GradB.AsSpan(t * n, n);
        for (int l = Shape.Layers - 1; l >= 0; l--)
        {
            if (ws.DropoutActive) Dropout.Backward(dA, ws.Masks[l].AsSpan(t * n, n), dA);
            var rec = _recurrences[l];
            var dxg = ws.Xg[l].AsSpan(t * batch * rec.GateWidth, batch * rec.GateWidth);
            rec.BackwardStep(ws.Caches[l], dA, dxg, t);
            _projections[l]!.BackwardInputStep(dxg, l > 0 ? next : ws.InputGradient.AsSpan(t * batch * InputWidth, batch * InputWidth), batch);
            var done = dA;
            dA = next;
            next = done;
        }
    }

    /// <summary>The weight gradients of every step, after the last <see cref="BackwardStep"/>; d(h0, c0) stay in the caches.</summary>
    public void EndBackwardSteps(StackWorkspace ws)
    {
        int steps = ws.Steps, rows = steps * ws.Batch;
        for (int l = 0; l < Shape.Layers; l++)
        {
            var rec = _recurrences[l];
            var dxg = ws.Xg[l].AsSpan(0, rows * rec.GateWidth);
            rec.EndBackward(ws.Caches[l], dxg, steps);
            _projections[l]!.BackwardWeights(l == 0 ? ws.Input(steps) : ws.LayerInput(l, steps), dxg, rows);
        }
    }

    /// <summary>
    /// Each sequence's final state of layer <paramref name="layer"/>, direction <paramref name="direction"/> after the
    /// last forward, at its own length (for the reverse direction: after reading the sequence back to its first step):
    /// h [B, H] and, for LSTM, c [B, H] (pass an empty span otherwise). What a decoder's initial state is bridged from;
    /// the top layer's h is also a row of <see cref="StackWorkspace.TopOutput"/> (forward: step length − 1; reverse:
    /// step 0), which is where a gradient reaching it goes before backward.
    /// </summary>
    public void FinalStates(StackWorkspace ws, int layer, int direction, Span<float> h, Span<float> c)
    {
        var cache = ws.Caches[Index(layer, direction)];
        int b = ws.Batch;
        if (h.Length != b * Hidden) throw new ArgumentException($"Expected {b}×{Hidden} values for h, got {h.Length}.", nameof(h));
        bool cell = _recurrences[0].HasCell;
        if (c.Length != (cell ? b * Hidden : 0))
            throw new ArgumentException($"Expected {(cell ? b * Hidden : 0)} values for c, got {c.Length}.", nameof(c));
        for (int s = 0; s < b; s++)
        {
            int length = ws.Lengths[s];
            cache.H(length).Slice(s * Hidden, Hidden).CopyTo(h.Slice(s * Hidden, Hidden));
            if (cell) cache.C(length).Slice(s * Hidden, Hidden).CopyTo(c.Slice(s * Hidden, Hidden));
        }
    }

    /// <summary>
    /// Adds dLoss/d(final states) of layer <paramref name="layer"/>, direction <paramref name="direction"/> — h [B, H]
    /// and, for LSTM, c [B, H] (empty otherwise), in the layout <see cref="FinalStates"/> writes — to what the next
    /// backward propagates: the gradient a decoder's bridge sends back. Call after forward and before backward.
    /// </summary>
    public void AddFinalStateGradient(StackWorkspace ws, int layer, int direction, ReadOnlySpan<float> dh, ReadOnlySpan<float> dc)
    {
        int i = Index(layer, direction), b = ws.Batch;
        if (dh.Length != b * Hidden) throw new ArgumentException($"Expected {b}×{Hidden} values for dh, got {dh.Length}.", nameof(dh));
        bool cell = _recurrences[0].HasCell;
        if (dc.Length != (cell ? b * Hidden : 0))
            throw new ArgumentException($"Expected {(cell ? b * Hidden : 0)} values for dc, got {dc.Length}.", nameof(dc));
        var (h, c) = ws.FinalStateGradient(i);
        System.Numerics.Tensors.TensorPrimitives.Add(h, dh, h);
        if (!cell) return;
        System.Numerics.Tensors.TensorPrimitives.Add(c, dc, c);
        ws.Caches[i].FinalCellGradient = (c, ws.LengthsArray);
    }

    // The final h gradient of (layer, direction), if any, into dA, the gradient of the layer's outputs: the forward
    // direction's final h is its output at step length − 1, the reverse direction's its output at step 0.
    private void AddFinalStateGradient(StackWorkspace ws, int layer, int direction, Span<float> dA)
    {
        int i = Index(layer, direction), width = Shape.OutputWidth;
        if (!ws.HasFinalStateGradient(i)) return;
        var (h, _) = ws.FinalStateGradient(i);
        for (int b = 0; b < ws.Batch; b++)
        {
            int t = direction == 0 ? ws.Lengths[b] - 1 : 0;
            var row = dA.Slice((t * ws.Batch + b) * width + direction * Hidden, Hidden);
            System.Numerics.Tensors.TensorPrimitives.Add(row, h.AsSpan(b * Hidden, Hidden), row);
        }
    }

    private int Index(int layer, int direction)
    {
        if ((uint)layer >= (uint)Shape.Layers) throw new ArgumentOutOfRangeException(nameof(layer), layer, $"Layer must be in [0, {Shape.Layers}).");
        if ((uint)direction >= (uint)Shape.Directions) throw new ArgumentOutOfRangeException(nameof(direction), direction, $"Direction must be in [0, {Shape.Directions}).");
        return layer * Shape.Directions + direction;
    }

    // dst[r] = src[map[r]] for rows of the given width (map is an involution, so the same call undoes it)
    private static void Permute(ReadOnlySpan<float> src, Span<float> dst, ReadOnlySpan<int> map, int width)
    {
        for (int r = 0; r < map.Length; r++) src.Slice(map[r] * width, width).CopyTo(dst.Slice(r * width, width));
    }
}
