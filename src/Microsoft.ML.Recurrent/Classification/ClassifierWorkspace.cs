using Microsoft.ML.Recurrent.Layers;

namespace Microsoft.ML.Recurrent.Classification;

/// <summary>
/// Activation and gradient buffers of a <see cref="SequenceClassifierNetwork"/> for B sequences of up to
/// a maximum number of steps, allocated once so the training loop does not allocate: its recurrent stack's (which holds the
/// input steps and the batch's lengths), plus the input dropout mask, the pooled vector and the logits.
/// </summary>
internal sealed class ClassifierWorkspace
{
    /// <summary>Buffers of <paramref name="network"/> for <paramref name="batch"/> sequences of up to <paramref name="maxSteps"/> steps.</summary>
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
    /// <summary>Sequences per batch, B.</summary>
    public int Batch => Stack.Batch;
    /// <summary>Steps of the current batch.</summary>
    public int Steps => Stack.Steps;
    /// <summary>The input dropout mask [T·B, InputWidth] (empty without input dropout).</summary>
    public float[] InputMask { get; }
    /// <summary>The pooled top outputs [B, D·H].</summary>
    public float[] Pooled { get; }
    /// <summary>The dropout mask of the pooled vector (empty without dropout).</summary>
    public float[] PooledMask { get; }
    /// <summary>dLoss/dPooled [B, D·H] during backward.</summary>
    public float[] PooledGradient { get; }
    /// <summary>Max pooling's chosen step per pooled value.</summary>
    public int[] ArgMax { get; }
    /// <summary>Logits [B, Classes] after forward; the caller replaces them by their gradient before backward.</summary>
    public float[] Logits { get; }
    /// <summary>The n-gram evidence s [B, Classes] of the current batch (empty without n-grams).</summary>
    public float[] NgramEvidence { get; }
    /// <summary>Whether the last forward applied dropout (training).</summary>
    public bool DropoutActive { get; set; }

    /// <summary>Lengths of the current batch's sequences.</summary>
    public ReadOnlySpan<int> Lengths => Stack.Lengths;
}
