using Microsoft.ML.Recurrent.Layers;

namespace Microsoft.ML.Recurrent.Models;

/// <summary>
/// Activation and gradient buffers of a <see cref="SequenceClassifierNetwork"/> for B sequences of up to
/// MaxSteps steps, allocated once so the training loop does not allocate. Backward reuses the input
/// pre-activation buffers Xg for their gradients, as the language network does.
/// </summary>
internal sealed class ClassifierWorkspace
{
    private readonly int[] _reversed;
    private readonly int[] _lengths;

    public ClassifierWorkspace(SequenceClassifierNetwork network, int maxSteps, int batch)
    {
        if (maxSteps < 1 || batch < 1) throw new ArgumentOutOfRangeException(nameof(batch), "Steps and batch must be positive.");
        var shape = network.Shape;
        MaxSteps = maxSteps;
        Batch = batch;
        InputWidth = shape.InputWidth;
        OutputWidth = shape.OutputWidth;
        int rows = maxSteps * batch, gates = network.RecurrenceAt(0, 0).GateWidth;
        int widest = Math.Max(shape.InputWidth, shape.OutputWidth);
        Input = new float[rows * shape.InputWidth];
        InputMask = shape.EmbeddingDropout > 0 ? new float[Input.Length] : [];
        Xg = new float[shape.Layers, shape.Directions][];
        Caches = new RecurrenceCache[shape.Layers, shape.Directions];
        for (int l = 0; l < shape.Layers; l++)
            for (int d = 0; d < shape.Directions; d++)
            {
                Xg[l, d] = new float[rows * gates];
                Caches[l, d] = network.RecurrenceAt(l, d).CreateCache(maxSteps, batch);
            }
        Outputs = [.. Enumerable.Range(0, shape.Layers).Select(_ => new float[rows * shape.OutputWidth])];
        Scratch = new float[rows * gates];
        State = network.RecurrenceAt(0, 0).CreateState(batch);
        Pooled = new float[batch * shape.OutputWidth];
        PooledMask = shape.Dropout > 0 ? new float[Pooled.Length] : [];
        PooledGradient = new float[Pooled.Length];
        ArgMax = new int[Pooled.Length];
        Logits = new float[batch * shape.Classes];
        NgramEvidence = shape.NgramLength > 0 ? new float[batch * shape.Classes] : [];
        OutputGradient = new float[rows * shape.OutputWidth];
        HiddenGradient = new float[rows * shape.Hidden];
        InputGradient = new float[rows * widest];
        InputGradientPart = new float[rows * widest];
        _reversed = new int[rows];
        _lengths = new int[batch];
    }

    public int MaxSteps { get; }
    public int Batch { get; }
    public int InputWidth { get; }
    public int OutputWidth { get; }
    /// <summary>Steps of the current batch.</summary>
    public int Steps { get; private set; }
    public float[] Input { get; }
    public float[] InputMask { get; }
    public float[,][] Xg { get; }
    public RecurrenceCache[,] Caches { get; }
    public float[][] Outputs { get; }
    public float[] Scratch { get; }
    public RecurrentState State { get; }
    public float[] Pooled { get; }
    public float[] PooledMask { get; }
    public float[] PooledGradient { get; }
    public int[] ArgMax { get; }
    /// <summary>Logits [B, Classes] after forward; the caller replaces them by their gradient before backward.</summary>
    public float[] Logits { get; }
    /// <summary>The n-gram evidence s [B, Classes] of the current batch (empty without n-grams).</summary>
    public float[] NgramEvidence { get; }
    public float[] OutputGradient { get; }
    public float[] HiddenGradient { get; }
    public float[] InputGradient { get; }
    public float[] InputGradientPart { get; }
    public bool DropoutActive { get; set; }

    /// <summary>Lengths of the current batch's sequences.</summary>
    public ReadOnlySpan<int> Lengths => _lengths;

    /// <summary>Row t·B + b ↔ row (length_b − 1 − t)·B + b for valid steps, itself for padded ones (an involution).</summary>
    public ReadOnlySpan<int> Reversed => _reversed.AsSpan(0, Steps * Batch);

    /// <summary>Takes the lengths of a new batch and returns B.</summary>
    public int Begin(ReadOnlySpan<int> lengths, int steps)
    {
        if (lengths.Length != Batch) throw new ArgumentException($"This workspace holds batches of {Batch} sequences, not {lengths.Length}.", nameof(lengths));
        if (steps < 1 || steps > MaxSteps) throw new ArgumentOutOfRangeException(nameof(steps), steps, $"Steps must be in [1, {MaxSteps}].");
        foreach (int length in lengths)
            if (length < 1 || length > steps) throw new ArgumentOutOfRangeException(nameof(lengths), length, $"Sequence lengths must be in [1, {steps}].");
        Steps = steps;
        lengths.CopyTo(_lengths);
        for (int t = 0; t < steps; t++)
            for (int b = 0; b < Batch; b++)
                _reversed[t * Batch + b] = (t < lengths[b] ? lengths[b] - 1 - t : t) * Batch + b;
        return Batch;
    }
}
