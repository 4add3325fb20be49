namespace Microsoft.ML.Recurrent.Layers;

/// <summary>
/// Activation buffers of a <see cref="StackedRecurrence"/> for up to MaxSteps × Batch, allocated once so that
/// training does not allocate, and the lengths of the current batch. Backward reuses the input pre-activation
/// buffers Xg for their gradients. Buffers are indexed by layer l and direction d at l·D + d.
/// </summary>
internal sealed class StackWorkspace
{
    private readonly StackShape _shape;
    private readonly int[] _reversed;
    private readonly int[] _lengths;
    private readonly float[] _input;
    private readonly RecurrentState _zero;
    private readonly RecurrentState[] _finalGradients;
    private readonly bool[] _hasFinalGradient;

    /// <summary>Buffers of <paramref name="stack"/> for <paramref name="batch"/> sequences of up to <paramref name="maxSteps"/> steps.</summary>
    public StackWorkspace(StackedRecurrence stack, int maxSteps, int batch)
    {
        if (maxSteps < 1 || batch < 1) throw new ArgumentOutOfRangeException(nameof(batch), "Steps and batch must be positive.");
        _shape = stack.Shape;
        MaxSteps = maxSteps;
        Batch = batch;
        int rows = maxSteps * batch, width = _shape.OutputWidth, gates = stack.Recurrences[0].GateWidth;
        bool bidirectional = _shape.Bidirectional;
        Xg = [.. stack.Recurrences.Select(r => new float[rows * r.GateWidth])];
        Caches = [.. stack.Recurrences.Select(r => r.CreateCache(maxSteps, batch))];
        Concatenated = [.. Enumerable.Range(0, _shape.Layers).Select(_ => bidirectional ? new float[rows * width] : [])];
        Dropped = [.. Enumerable.Range(0, _shape.Layers).Select(_ => stack.HasDropout ? new float[rows * width] : [])];
        Masks = [.. Enumerable.Range(0, _shape.Layers).Select(_ => stack.HasDropout ? new float[rows * width] : [])];
        GradA = new float[rows * width];
        GradB = new float[rows * width];
        _input = new float[rows * stack.InputWidth];
        InputGradient = new float[rows * stack.InputWidth];
        InputGradientPart = bidirectional ? new float[rows * Math.Max(stack.InputWidth, width)] : [];
        Scratch = bidirectional ? new float[rows * gates] : [];
        HiddenGradient = bidirectional ? new float[rows * _shape.Hidden] : [];
        _zero = stack.Recurrences[0].CreateState(batch);
        _finalGradients = [.. stack.Recurrences.Select(r => r.CreateState(batch))];
        _hasFinalGradient = new bool[_finalGradients.Length];
        _reversed = new int[rows];
        _lengths = new int[batch];
    }

    /// <summary>The most steps a batch may have.</summary>
    public int MaxSteps { get; }
    /// <summary>Sequences per batch, B.</summary>
    public int Batch { get; }
    /// <summary>Steps of the current batch.</summary>
    public int Steps { get; private set; }
    /// <summary>Whether the current batch has a sequence shorter than <see cref="Steps"/>.</summary>
    public bool Masked { get; private set; }
    /// <summary>Each recurrence's input pre-activations [T·B, G·H] (their gradients after backward).</summary>
    public float[][] Xg { get; }
    /// <summary>Each recurrence's activations for backward.</summary>
    public RecurrenceCache[] Caches { get; }
    /// <summary>Each bidirectional layer's outputs [T·B, 2H], [forward | backward] (empty when forward-only).</summary>
    public float[][] Concatenated { get; }
    /// <summary>Each layer's outputs after dropout (empty without dropout).</summary>
    public float[][] Dropped { get; }
    /// <summary>The dropout mask of each layer's outputs.</summary>
    public float[][] Masks { get; }
    /// <summary>Output gradients of alternate layers during backward; the top gradient to begin with.</summary>
    public float[] GradA { get; }
    /// <summary>The other half of <see cref="GradA"/>'s ping-pong.</summary>
    public float[] GradB { get; }
    /// <summary>dx [T·B, In] of the stack's own layer-0 projection after a backward that asked for it.</summary>
    public float[] InputGradient { get; }
    /// <summary>The reverse direction's share of an input gradient, added to the forward direction's.</summary>
    public float[] InputGradientPart { get; }
    /// <summary>The reverse direction's pre-activations in natural row order, and their gradient.</summary>
    public float[] Scratch { get; }
    /// <summary>One direction's share of a bidirectional layer's output gradient, [T·B, H].</summary>
    public float[] HiddenGradient { get; }
    /// <summary>Whether the last forward applied dropout (training), so backward applies its masks.</summary>
    public bool DropoutActive { get; set; }

    /// <summary>Lengths of the current batch's sequences.</summary>
    public ReadOnlySpan<int> Lengths => _lengths;

    /// <summary>The same lengths, for a recurrence cache to keep.</summary>
    internal int[] LengthsArray => _lengths;

    /// <summary>Row t·B + b ↔ row (length_b − 1 − t)·B + b for valid steps, itself for padded ones (an involution).</summary>
    public ReadOnlySpan<int> Reversed => _reversed.AsSpan(0, Steps * Batch);

    /// <summary>Layer 0's input pre-activations [T·B, G0] when they belong to the caller: written by it, their gradient after backward.</summary>
    public Span<float> FirstInput(int steps) => Xg[0].AsSpan(0, steps * Batch * (Xg[0].Length / (MaxSteps * Batch)));

    /// <summary>Layer 0's input x [T·B, In] when the stack owns its projection (empty otherwise): written by the caller.</summary>
    public Span<float> Input(int steps) => _input.AsSpan(0, _input.Length == 0 ? 0 : steps * Batch * (_input.Length / (MaxSteps * Batch)));

    /// <summary>The top layer's (dropped-out) outputs, [T·B, D·H]; padded rows are zero.</summary>
    public Span<float> TopOutput(int steps) => LayerInput(_shape.Layers, steps);

    /// <summary>Where the caller puts dLoss/dTopOutput before backward, [T·B, D·H] (padded rows are ignored).</summary>
    public Span<float> TopGradient(int steps) => GradA.AsSpan(0, steps * Batch * _shape.OutputWidth);

    /// <summary>What layer <paramref name="layer"/> ≥ 1 reads: the previous layer's (dropped-out) outputs, [T·B, D·H].</summary>
    public Span<float> LayerInput(int layer, int steps) => DropoutActive
        ? Dropped[layer - 1].AsSpan(0, steps * Batch * _shape.OutputWidth)
        : LayerOutput(layer - 1, steps);

    /// <summary>Layer <paramref name="layer"/>'s outputs before dropout, [T·B, D·H].</summary>
    public Span<float> LayerOutput(int layer, int steps) => _shape.Bidirectional
        ? Concatenated[layer].AsSpan(0, steps * Batch * _shape.OutputWidth)
        : Caches[layer].Outputs(steps);

    /// <summary>A zero state for a recurrence that starts from zero.</summary>
    public RecurrentState ZeroState()
    {
        _zero.Reset();
        return _zero;
    }

    /// <summary>Whether recurrence <paramref name="index"/> (l·D + d) has a final-state gradient for the next backward.</summary>
    public bool HasFinalStateGradient(int index) => _hasFinalGradient[index];

    /// <summary>Recurrence <paramref name="index"/>'s final-state gradient (h, c) [B, H], marked as set: the caller adds to it.</summary>
    public (float[] H, float[] C) FinalStateGradient(int index)
    {
        var g = _finalGradients[index];
        if (!_hasFinalGradient[index]) g.Reset();
        _hasFinalGradient[index] = true;
        return (g.H, g.C);
    }

    /// <summary>Forgets every final-state gradient, here and in the recurrence caches.</summary>
    public void ClearFinalStateGradients()
    {
        Array.Clear(_hasFinalGradient);
        foreach (var cache in Caches) cache.FinalCellGradient = null;
    }

    /// <summary>Takes the steps and lengths (empty: all <paramref name="steps"/>) of a new batch.</summary>
    public void Begin(ReadOnlySpan<int> lengths, int steps)
    {
        if (steps < 1 || steps > MaxSteps) throw new ArgumentOutOfRangeException(nameof(steps), steps, $"Steps must be in [1, {MaxSteps}].");
        if (!lengths.IsEmpty && lengths.Length != Batch)
            throw new ArgumentException($"This workspace holds batches of {Batch} sequences, not {lengths.Length}.", nameof(lengths));
        foreach (int length in lengths)
            if (length < 1 || length > steps) throw new ArgumentOutOfRangeException(nameof(lengths), length, $"Sequence lengths must be in [1, {steps}].");
        Steps = steps;
        ClearFinalStateGradients(); // a final-state gradient belongs to the forward it follows
        if (lengths.IsEmpty) Array.Fill(_lengths, steps);
        else lengths.CopyTo(_lengths);
        Masked = false;
        for (int b = 0; b < Batch; b++) Masked |= _lengths[b] < steps;
        for (int t = 0; t < steps; t++)
            for (int b = 0; b < Batch; b++)
                _reversed[t * Batch + b] = (t < _lengths[b] ? _lengths[b] - 1 - t : t) * Batch + b;
    }

    /// <summary>Zeroes the padded rows (t ≥ length_b) of a [T·B, width] buffer of the current batch.</summary>
    public void ClearPadding(Span<float> rows, int width)
    {
        for (int b = 0; b < Batch; b++)
            for (int t = _lengths[b]; t < Steps; t++) rows.Slice((t * Batch + b) * width, width).Clear();
    }
}
