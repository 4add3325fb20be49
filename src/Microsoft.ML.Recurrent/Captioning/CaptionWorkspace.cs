using Microsoft.ML.Recurrent.Layers;

namespace Microsoft.ML.Recurrent.Captioning;

/// <summary>
/// Activation buffers of a <see cref="CaptionNetwork"/> for up to MaxSteps × Batch, allocated once: its
/// recurrent stack's, plus the word embeddings, the image terms and the logits.
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
        Stack = network.Stack.CreateWorkspace(maxSteps, batch);
        Logits = new float[rows * shape.Vocabulary];
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
    public StackWorkspace Stack { get; }
    public float[] Logits { get; }
}
