using Microsoft.ML.Recurrent.Layers;

namespace Microsoft.ML.Recurrent.Tagging;

/// <summary>
/// Activation and gradient buffers of a <see cref="SequenceTaggerNetwork"/> for B sentences of up to a maximum number
/// of steps, allocated once: the main stack's (whose input holds [word embedding | character features] per step), the
/// character encoder's, the word embeddings, the input dropout mask and the per-step label scores.
/// </summary>
internal sealed class TaggerWorkspace
{
    public TaggerWorkspace(SequenceTaggerNetwork network, int maxSteps, int batch)
    {
        var shape = network.Shape;
        int rows = maxSteps * batch;
        Stack = network.Stack.CreateWorkspace(maxSteps, batch);
        Embedded = shape.WordInput ? new float[rows * shape.InputWidth] : [];
        InputMask = shape.EmbeddingDropout > 0 ? new float[rows * shape.StackInputWidth] : [];
        Logits = new float[rows * shape.Labels];
        Characters = network.Characters?.CreateWorkspace();
        Words = shape.CharacterFeatures ? new int[rows][] : [];
        WordRows = shape.CharacterFeatures ? new int[rows] : [];
    }

    /// <summary>The main stack's buffers; its input holds the embedded steps.</summary>
    public StackWorkspace Stack { get; }
    /// <summary>Sentences per batch, B.</summary>
    public int Batch => Stack.Batch;
    /// <summary>Steps of the current batch.</summary>
    public int Steps => Stack.Steps;
    /// <summary>The word embeddings [T·B, E] (their gradient after backward); empty for float input.</summary>
    public float[] Embedded { get; }
    /// <summary>The input dropout mask [T·B, StackInputWidth] (empty without input dropout).</summary>
    public float[] InputMask { get; }
    /// <summary>Label scores (emissions) [T·B, Labels] after forward; the caller replaces them by their gradient (zero on padded rows) before backward.</summary>
    public float[] Logits { get; }
    /// <summary>The character encoder's buffers (null without character features).</summary>
    public CharacterWorkspace? Characters { get; }
    /// <summary>The valid steps' character ids of the current batch, and their rows t·B + b.</summary>
    internal int[][] Words { get; }
    internal int[] WordRows { get; }
    /// <summary>Whether the last forward applied dropout (training).</summary>
    public bool DropoutActive { get; set; }
    /// <summary>Lengths of the current batch's sentences.</summary>
    public ReadOnlySpan<int> Lengths => Stack.Lengths;
}
