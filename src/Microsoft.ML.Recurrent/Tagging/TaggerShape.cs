using Microsoft.ML.Recurrent.Layers;

namespace Microsoft.ML.Recurrent.Tagging;

/// <summary>
/// Architecture of a <see cref="SequenceTaggerNetwork"/>. <paramref name="Vocabulary"/> &gt; 0 means word input (ids,
/// 0 = unknown word) through an embedding of width <paramref name="InputWidth"/>; 0 means float input of
/// <paramref name="InputWidth"/> values per step. <paramref name="Characters"/> &gt; 0 (word input only) adds each
/// word's character features: its characters (ids, 0 = unknown character) embedded in
/// <paramref name="CharEmbedding"/> values and read by a one-layer bidirectional recurrence of
/// <paramref name="CharHidden"/> units per direction, whose two final states follow the word embedding.
/// <paramref name="Crf"/> puts a linear-chain CRF over the per-step label scores.
/// </summary>
internal sealed record TaggerShape(RecurrentCell Cell, int Vocabulary, int InputWidth, int Characters, int CharEmbedding,
    int CharHidden, int Hidden, int Layers, bool Bidirectional, int Labels, bool Crf, float Dropout = 0f, float EmbeddingDropout = 0f)
{
    public bool WordInput => Vocabulary > 0;

    public bool CharacterFeatures => Characters > 0;

    /// <summary>Values per step the main stack reads: the word embedding (or float step), then the character features.</summary>
    public int StackInputWidth => InputWidth + (CharacterFeatures ? 2 * CharHidden : 0);

    /// <summary>The main recurrent stack.</summary>
    public StackShape Stack => new(Cell, Hidden, Layers, Bidirectional);

    /// <summary>The recurrence over each word's characters: one bidirectional layer.</summary>
    public StackShape CharacterStack => new(Cell, CharHidden, 1, Bidirectional: true);

    /// <summary>Width of the main stack's outputs, the output layer's input.</summary>
    public int OutputWidth => Stack.OutputWidth;

    public void Validate()
    {
        if (Vocabulary is < 0 or > StackShape.MaxWidth * 64)
            throw new ArgumentOutOfRangeException(nameof(Vocabulary), Vocabulary, "The vocabulary size must be in [0, 4194304].");
        if (InputWidth is < 1 or > StackShape.MaxWidth) throw new ArgumentOutOfRangeException(nameof(InputWidth), InputWidth, $"The input width must be in [1, {StackShape.MaxWidth}].");
        if (Characters is < 0 or > StackShape.MaxWidth) throw new ArgumentOutOfRangeException(nameof(Characters), Characters, $"The character count must be in [0, {StackShape.MaxWidth}].");
        if (CharacterFeatures && !WordInput) throw new ArgumentException("Character features need word input.", nameof(Characters));
        if (CharacterFeatures && CharEmbedding is < 1 or > StackShape.MaxWidth)
            throw new ArgumentOutOfRangeException(nameof(CharEmbedding), CharEmbedding, $"The character embedding width must be in [1, {StackShape.MaxWidth}].");
        if (CharacterFeatures) CharacterStack.Validate();
        Stack.Validate();
        if (Labels is < 2 or > StackShape.MaxWidth) throw new ArgumentOutOfRangeException(nameof(Labels), Labels, $"A tagger needs between 2 and {StackShape.MaxWidth} labels.");
        if (Dropout is < 0f or >= 1f) throw new ArgumentOutOfRangeException(nameof(Dropout), Dropout, "Dropout must be in [0, 1).");
        if (EmbeddingDropout is < 0f or >= 1f) throw new ArgumentOutOfRangeException(nameof(EmbeddingDropout), EmbeddingDropout, "Dropout must be in [0, 1).");
    }
}
