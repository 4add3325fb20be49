namespace Microsoft.ML.Recurrent.Decoding;

/// <summary>
/// What a task supplies to <see cref="Decoder{TState}"/>: one step of its autoregressive model at batch 1. The task
/// primes a state before decoding starts (the language model resets it, the captioner applies the image); the
/// decoder then feeds tokens and reads the logits, and copies states when a beam branches.
/// </summary>
/// <typeparam name="TState">The model's recurrent state for one sequence.</typeparam>
internal interface IDecoderStep<TState>
{
    /// <summary>Number of tokens the model scores: the length of <see cref="Logits"/>.</summary>
    int Vocabulary { get; }

    /// <summary>The scores of the next token after the last <see cref="Feed"/> (of any state); valid until the next one.</summary>
    ReadOnlySpan<float> Logits { get; }

    /// <summary>A new state, to be primed or copied into.</summary>
    TState CreateState();

    /// <summary>Makes <paramref name="destination"/> equal to <paramref name="source"/>, so that a beam's children continue from their parent.</summary>
    void Copy(TState source, TState destination);

    /// <summary>Advances <paramref name="state"/> by <paramref name="token"/>; <see cref="Logits"/> then score the token after it.</summary>
    void Feed(TState state, int token);
}
