namespace Microsoft.ML.Recurrent;

/// <summary>
/// Architecture and training settings of a recurrent sequence classifier. The defaults (a bidirectional GRU of
/// 2 × 100 units over 128-wide word embeddings, max pooling, embedding dropout, Adam, early stopping on 10% of the
/// training data, uni- and bigram naive Bayes evidence stacked on the same 10%) are tuned on sentence-level sentiment
/// (rt-polarity); see the README for the measured figures.
/// </summary>
public class SequenceClassifierOptions
{
    /// <summary>The recurrent cell.</summary>
    public RecurrentCell Cell { get; set; } = RecurrentCell.Gru;

    /// <summary>Width of the token embedding (token input only; float input uses its declared step width).</summary>
    public int EmbeddingSize { get; set; } = 128;

    /// <summary>Hidden units per direction and layer.</summary>
    public int HiddenSize { get; set; } = 100;

    /// <summary>Stacked recurrent layers.</summary>
    public int Layers { get; set; } = 1;

    /// <summary>Whether each layer also reads the sequence backwards (the directions' states are concatenated).</summary>
    public bool Bidirectional { get; set; } = true;

    /// <summary>How the hidden states of all steps are reduced to one vector.</summary>
    public SequencePooling Pooling { get; set; } = SequencePooling.Max;

    /// <summary>Longest word n-gram of the naive Bayes evidence added to the network's logits (token input only): after
    /// the network has trained, the training rows' n-grams of length 1..NgramLength are counted per class (multinomial
    /// naive Bayes, as NBSVM), and how much the network and the evidence each count is fitted on the validation rows
    /// (stacking). Bag-of-n-gram evidence is what linear text classifiers do best on small data sets; the recurrent
    /// network adds word order and context. 0 turns it off.</summary>
    public int NgramLength { get; set; } = 2;

    /// <summary>Hash buckets for the n-grams longer than one token (unigrams have one weight row per token).</summary>
    public int NgramBuckets { get; set; } = 1 << 20;

    /// <summary>Dropout on the embedded (or float) input steps, in [0, 1).</summary>
    public float EmbeddingDropout { get; set; } = 0.3f;

    /// <summary>Probability that a training token is replaced by the unknown token (token input only), so the model
    /// learns what words it has never seen look like, as they will at prediction time; in [0, 1).</summary>
    public float WordDropout { get; set; }

    /// <summary>Dropout on the pooled vector before the output layer, in [0, 1).</summary>
    public float Dropout { get; set; } = 0.5f;

    /// <summary>Most passes over the training data.</summary>
    public int MaxEpochs { get; set; } = 4;

    /// <summary>Fraction of the training rows held out to choose the best epoch and stop early; 0 trains all epochs on everything.</summary>
    public double ValidationFraction { get; set; } = 0.1;

    /// <summary>Epochs without a better validation loss before training stops (the best epoch's weights are kept).
    /// On small text sets the validation loss is usually lowest after two or three epochs.</summary>
    public int Patience { get; set; } = 1;

    /// <summary>Sequences per minibatch (grouped by similar length, so little padding is computed).</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>The gradient-descent rule.</summary>
    public OptimizerKind Optimizer { get; set; } = OptimizerKind.Adam;

    /// <summary>Learning rate.</summary>
    public float LearningRate { get; set; } = 0.003f;

    /// <summary>Largest global gradient norm; larger gradients are scaled down (0 = no clipping).</summary>
    public float MaxGradientNorm { get; set; } = 5f;

    /// <summary>Weighting of the classes in the loss (for imbalanced data).</summary>
    public ClassWeighting ClassWeighting { get; set; } = ClassWeighting.None;

    /// <summary>Seed of initialisation, shuffling, the validation split and dropout: the same seed gives the same model.</summary>
    public int Seed { get; set; }

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(EmbeddingSize, nameof(EmbeddingSize));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(HiddenSize, nameof(HiddenSize));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Layers, nameof(Layers));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxEpochs, nameof(MaxEpochs));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BatchSize, nameof(BatchSize));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Patience, nameof(Patience));
        ArgumentOutOfRangeException.ThrowIfNegative(NgramLength, nameof(NgramLength));
        if (NgramBuckets is < 1 or > Microsoft.ML.Recurrent.Layers.NgramBag.MaxBuckets)
            throw new ArgumentOutOfRangeException(nameof(NgramBuckets), NgramBuckets, $"The n-gram buckets must be in [1, {Microsoft.ML.Recurrent.Layers.NgramBag.MaxBuckets}].");
        if (!(ValidationFraction >= 0 && ValidationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(ValidationFraction), ValidationFraction, "The validation fraction must be in [0, 1).");
        if (!(LearningRate > 0) || float.IsInfinity(LearningRate))
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "The learning rate must be positive and finite.");
        if (!(WordDropout >= 0 && WordDropout < 1)) throw new ArgumentOutOfRangeException(nameof(WordDropout), WordDropout, "Word dropout must be in [0, 1).");
        if (!(MaxGradientNorm >= 0)) throw new ArgumentOutOfRangeException(nameof(MaxGradientNorm), MaxGradientNorm, "The gradient norm limit must be >= 0.");
        if (!Enum.IsDefined(Cell)) throw new ArgumentOutOfRangeException(nameof(Cell), Cell, "Unknown cell.");
        if (!Enum.IsDefined(Pooling)) throw new ArgumentOutOfRangeException(nameof(Pooling), Pooling, "Unknown pooling.");
        if (!Enum.IsDefined(ClassWeighting)) throw new ArgumentOutOfRangeException(nameof(ClassWeighting), ClassWeighting, "Unknown class weighting.");
    }
}
