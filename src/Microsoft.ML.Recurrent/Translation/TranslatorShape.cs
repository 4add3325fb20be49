using Microsoft.ML.Recurrent.Layers;

namespace Microsoft.ML.Recurrent.Translation;

/// <summary>
/// Architecture of a <see cref="TranslatorNetwork"/>: source tokens (ids, 0 = unknown) embedded in
/// <paramref name="SourceEmbedding"/> values → the <paramref name="Encoder"/> stack; its final states bridged into the
/// <paramref name="Decoder"/> stack's initial states; target tokens (ids, <see cref="TranslatorVocabulary"/>'s reserved
/// ones first) embedded in <paramref name="TargetEmbedding"/> values, followed by the previous step's attentional
/// vector when <paramref name="InputFeeding"/>; at each step attention (<paramref name="Score"/>) of the decoder's top
/// state over the encoder's outputs, the attentional vector tanh([h | context]·W + b) of
/// <paramref name="AttentionWidth"/> values, and from it the next token's logits — through the target embedding's own
/// table when <paramref name="TieEmbeddings"/>.
/// </summary>
internal sealed record TranslatorShape(StackShape Encoder, StackShape Decoder, int SourceVocabulary, int TargetVocabulary,
    int SourceEmbedding, int TargetEmbedding, AttentionScore Score, bool InputFeeding, int AttentionWidth, bool TieEmbeddings, float Dropout = 0f)
{
    /// <summary>Largest vocabulary accepted on either side.</summary>
    public const int MaxVocabulary = StackShape.MaxWidth * 64;

    /// <summary>M: the width of an encoder output, what attention reads.</summary>
    public int MemoryWidth => Encoder.OutputWidth;

    /// <summary>Values per step the decoder stack reads: the target embedding, then the fed attentional vector.</summary>
    public int DecoderInputWidth => TargetEmbedding + (InputFeeding ? AttentionWidth : 0);

    /// <summary>The encoder layer whose final states initialise decoder layer <paramref name="layer"/>: the same layer, or the top one.</summary>
    public int BridgeSource(int layer) => Math.Min(layer, Encoder.Layers - 1);

    public void Validate()
    {
        Encoder.Validate();
        Decoder.Validate();
        if (Decoder.Bidirectional) throw new ArgumentException("The decoder cannot be bidirectional: it generates left to right.", nameof(Decoder));
        if (Encoder.Cell != Decoder.Cell) throw new ArgumentException($"The encoder ({Encoder.Cell}) and decoder ({Decoder.Cell}) must use the same cell, so the states bridge.", nameof(Decoder));
        if (SourceVocabulary is < 2 or > MaxVocabulary) throw new ArgumentOutOfRangeException(nameof(SourceVocabulary), SourceVocabulary, $"The source vocabulary must be in [2, {MaxVocabulary}].");
        if (TargetVocabulary is < TranslatorVocabulary.ReservedCount + 1 or > MaxVocabulary)
            throw new ArgumentOutOfRangeException(nameof(TargetVocabulary), TargetVocabulary, $"The target vocabulary must be in [{TranslatorVocabulary.ReservedCount + 1}, {MaxVocabulary}].");
        foreach (var (name, width) in new[] { (nameof(SourceEmbedding), SourceEmbedding), (nameof(TargetEmbedding), TargetEmbedding), (nameof(AttentionWidth), AttentionWidth) })
            if (width is < 1 or > StackShape.MaxWidth) throw new ArgumentOutOfRangeException(name, width, $"Widths must be in [1, {StackShape.MaxWidth}].");
        if (!Enum.IsDefined(Score)) throw new ArgumentOutOfRangeException(nameof(Score), Score, "Unknown attention score.");
        if (Score == AttentionScore.Dot && MemoryWidth != Decoder.Hidden)
            throw new ArgumentException($"Dot attention needs the encoder's outputs ({MemoryWidth} values) as wide as the decoder's state ({Decoder.Hidden}).", nameof(Score));
        if (TieEmbeddings && AttentionWidth != TargetEmbedding)
            throw new ArgumentException($"Tied embeddings need the attentional vector ({AttentionWidth}) as wide as the target embedding ({TargetEmbedding}).", nameof(TieEmbeddings));
        if (Dropout is < 0f or >= 1f) throw new ArgumentOutOfRangeException(nameof(Dropout), Dropout, "Dropout must be in [0, 1).");
    }
}
