using Microsoft.ML.Recurrent.Layers;

namespace Microsoft.ML.Recurrent.Models;

/// <summary>
/// Activation and gradient buffers of a <see cref="SequenceClassifierNetwork"/> for B sequences of up to
/// a maximum number of steps, allocated once so the training loop does not allocate: its recurrent stack's (which holds the
/// input steps and the batch's lengths), plus the input dropout mask, the pooled vector and the logits.
/// </summary>
internal sealed class ClassifierWorkspace
{
    public ClassifierWorkspace(SequenceClassifierNetwork network, int maxSteps, int batch)
    {
        var shape = network.Shape;
        Stack = network.Stack.CreateWorkspace(maxSteps, batch);
        InputMask = shape.EmbeddingDropout > 0 ? new float[maxSteps * batch * shape.InputWidth] : [];
        Pooled = new float[batch * shape.OutputWidth];
        PooledMask = shape.Dropout > 0 ? new float[Pooled.Length] : [];
        PooledGradient = new float[Pooled.Length];
        ArgMax = new int[Pooled.Length];
        Logits = new float[batch * shape.Classes];
        NgramEvidence = shape.NgramLength > 0 ? new float[batch * shape.Classes] : [];
    }

    /// <summary>The recurrent stack's buffers; its input holds the (embedded) steps.</summary>
    public StackWorkspace Stack { get; }
    public int Batch => Stack.Batch;
    /// <summary>Steps of the current batch.</summary>
    public int Steps => Stack.Steps;
    public float[] InputMask { get; }
    public float[] Pooled { get; }
    public float[] PooledMask { get; }
    public float[] PooledGradient { get; }
    public int[] ArgMax { get; }
    /// <summary>Logits [B, Classes] after forward; the caller replaces them by their gradient before backward.</summary>
    public float[] Logits { get; }
    /// <summary>The n-gram evidence s [B, Classes] of the current batch (empty without n-grams).</summary>
    public float[] NgramEvidence { get; }
    public bool DropoutActive { get; set; }

    /// <summary>Lengths of the current batch's sequences.</summary>
    public ReadOnlySpan<int> Lengths => Stack.Lengths;
}
