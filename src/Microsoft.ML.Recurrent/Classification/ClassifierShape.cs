using Microsoft.ML.Recurrent.Layers;

namespace Microsoft.ML.Recurrent.Classification;

/// <summary>
/// Architecture of a <see cref="SequenceClassifierNetwork"/>. <paramref name="Vocabulary"/> &gt; 0 means token
/// input through an embedding of width <paramref name="InputWidth"/>; 0 means float input of
/// <paramref name="InputWidth"/> values per step. <paramref name="NgramLength"/> &gt; 0 (token input only) adds the naive
/// Bayes evidence of the sequence's 1..n-grams, longer ones hashed into <paramref name="NgramBuckets"/> rows, to the logits.
/// </summary>
internal sealed record ClassifierShape(RecurrentCell Cell, int Vocabulary, int InputWidth, int Hidden, int Layers,
    bool Bidirectional, SequencePooling Pooling, int Classes, float EmbeddingDropout = 0f, float Dropout = 0f,
    int NgramLength = 0, int NgramBuckets = 0)
{
    public int Directions => Bidirectional ? 2 : 1;

    /// <summary>Width of a layer's output: the directions' hidden states side by side.</summary>
    public int OutputWidth => Directions * Hidden;

    public bool TokenInput => Vocabulary > 0;

    /// <summary>The recurrent stack: cell, hidden width, layers and directions.</summary>
    public StackShape Stack => new(Cell, Hidden, Layers, Bidirectional);

    public void Validate()
    {
        if (Vocabulary < 0) throw new ArgumentOutOfRangeException(nameof(Vocabulary), Vocabulary, "The vocabulary size cannot be negative.");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(InputWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Hidden);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Layers);
        if (Classes < 2) throw new ArgumentOutOfRangeException(nameof(Classes), Classes, "A classifier needs at least two classes.");
        if (!Enum.IsDefined(Pooling)) throw new ArgumentOutOfRangeException(nameof(Pooling), Pooling, "Unknown pooling.");
        if (EmbeddingDropout is < 0f or >= 1f) throw new ArgumentOutOfRangeException(nameof(EmbeddingDropout), EmbeddingDropout, "Dropout must be in [0, 1).");
        if (NgramLength < 0) throw new ArgumentOutOfRangeException(nameof(NgramLength), NgramLength, "The n-gram length cannot be negative.");
        if (NgramLength > 0 && !TokenInput) throw new ArgumentException("N-gram features need token input.", nameof(NgramLength));
        if (NgramLength > 1 && NgramBuckets is < 1 or > NgramBag.MaxBuckets)
            throw new ArgumentOutOfRangeException(nameof(NgramBuckets), NgramBuckets, $"The n-gram buckets must be in [1, {NgramBag.MaxBuckets}].");
        if (Dropout is < 0f or >= 1f) throw new ArgumentOutOfRangeException(nameof(Dropout), Dropout, "Dropout must be in [0, 1).");
    }
}
