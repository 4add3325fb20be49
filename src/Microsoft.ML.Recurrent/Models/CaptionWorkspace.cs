using Microsoft.ML.Recurrent.Layers;

namespace Microsoft.ML.Recurrent.Models;

/// <summary>
/// Activation buffers of a <see cref="CaptionNetwork"/> for up to MaxSteps × Batch, allocated once. As in
/// <see cref="NetworkWorkspace"/>, backward reuses the pre-activation buffers Xg for their gradients.
/// </summary>
internal sealed class CaptionWorkspace
{
    public CaptionWorkspace(CaptionNetwork network, int maxSteps, int batch)
    {
        if (maxSteps < 1 || batch < 1) throw new ArgumentOutOfRangeException(nameof(batch), "Steps and batch must be positive.");
        var shape = network.Shape;
        MaxSteps = maxSteps;
        Batch = batch;
        int rows = maxSteps * batch, gates0 = network.Recurrences[0].GateWidth;
        Embedded = new float[rows * shape.Embedding];
        GradEmbedded = new float[rows * shape.Embedding];
        ImageGates = new float[batch * gates0];
        GradImage = new float[batch * gates0];
        Initial = [.. network.Recurrences.Select(_ => new float[batch * shape.Hidden])];
        GradInitial = new float[batch * shape.Hidden];
        Xg = [.. network.Recurrences.Select(r => new float[rows * r.GateWidth])];
        Caches = [.. network.Recurrences.Select(r => r.CreateCache(maxSteps, batch))];
        bool dropout = shape.Dropout > 0;
        Dropped = [.. network.Recurrences.Select(_ => dropout ? new float[rows * shape.Hidden] : [])];
        Masks = [.. network.Recurrences.Select(_ => dropout ? new float[rows * shape.Hidden] : [])];
        Logits = new float[rows * shape.Vocabulary];
        GradA = new float[rows * shape.Hidden];
        GradB = new float[rows * shape.Hidden];
    }

    public int MaxSteps { get; }
    public int Batch { get; }
    public float[] Embedded { get; }
    public float[] GradEmbedded { get; }
    /// <summary>Wih·v + b for each stream, [B, G·H].</summary>
    public float[] ImageGates { get; }
    public float[] GradImage { get; }
    /// <summary>Each layer's image-derived h0, [B, H] (kept for the tanh derivative).</summary>
    public float[][] Initial { get; }
    public float[] GradInitial { get; }
    public float[][] Xg { get; }
    public RecurrenceCache[] Caches { get; }
    public float[][] Dropped { get; }
    public float[][] Masks { get; }
    public float[] Logits { get; }
    public float[] GradA { get; }
    public float[] GradB { get; }
    public bool DropoutActive { get; set; }

    /// <summary>What layer <paramref name="layer"/> reads: the previous layer's (dropped-out) outputs, [T·B, H].</summary>
    public Span<float> LayerInput(int layer, int steps) => DropoutActive
        ? Dropped[layer - 1].AsSpan(0, steps * Batch * Caches[layer - 1].Hidden)
        : Caches[layer - 1].Outputs(steps);
}
