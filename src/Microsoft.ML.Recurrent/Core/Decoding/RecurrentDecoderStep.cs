using Microsoft.ML.Recurrent.Layers;

namespace Microsoft.ML.Recurrent.Decoding;

/// <summary>
/// The decoder step of a stacked recurrent network whose state is one <see cref="RecurrentState"/> per layer: copying
/// states and feeding one token at batch 1 are the same for every such task; the task supplies its forward pass.
/// </summary>
internal abstract class RecurrentDecoderStep : IDecoderStep<RecurrentState[]>
{
    private readonly int[] _id = new int[1];

    /// <inheritdoc />
    public abstract int Vocabulary { get; }

    /// <inheritdoc />
    public abstract ReadOnlySpan<float> Logits { get; }

    /// <inheritdoc />
    public abstract RecurrentState[] CreateState();

    /// <inheritdoc />
    public void Copy(RecurrentState[] source, RecurrentState[] destination)
    {
        for (int l = 0; l < destination.Length; l++) destination[l].CopyFrom(source[l]);
    }

    /// <inheritdoc />
    public void Feed(RecurrentState[] state, int token)
    {
        _id[0] = token;
        Forward(_id, state);
    }

    /// <summary>One step of the network on <paramref name="token"/> (one id), updating <paramref name="state"/> and the logits.</summary>
    protected abstract void Forward(int[] token, RecurrentState[] state);
}
