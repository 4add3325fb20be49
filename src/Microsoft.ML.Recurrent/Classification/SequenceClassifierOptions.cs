using Microsoft.ML.Recurrent.Classification;
using Microsoft.ML.Recurrent.Layers;
namespace Microsoft.ML.Recurrent;

/// <summary>
/// Architecture and training settings of a recurrent sequence classifier. The defaults (a bidirectional GRU of
/// 2 × 100 units over 128-wide word embeddings, max pooling, embedding dropout, Adam 0.003, global-norm clipping at 5,
/// at most 4 epochs validated at the end of each, early stopping with patience 1 on 10% of the training data keeping
/// the best epoch's weights, uni- and bigram naive Bayes evidence stacked on the same 10%) are tuned on sentence-level
/// sentiment (rt-polarity); see the README for the measured figures. <see cref="RecurrentTrainerOptions.Dropout"/>
/// applies to the pooled vector before the output layer.
/// </summary>
public class SequenceClassifierOptions : RecurrentTrainerOptions
{
    /// <summary>Creates the defaults.</summary>
    public SequenceClassifierOptions()
    {
        Cell = RecurrentCell.Gru;
        HiddenSize = 100;
        Layers = 1;
        Dropout = 0.5f;
        MaxEpochs = 4;
        ValidationFraction = 0.1;
        Patience = 1;
        BatchSize = 32;
        LearningRate = 0.003f;
        MaxGradientNorm = 5f;
    }

    /// <summary>Width of the token embedding (token input only; float input uses its declared step width).</summary>
    public int EmbeddingSize { get; set; } = 128;

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

    /// <summary>Weighting of the classes in the loss (for imbalanced data).</summary>
    public ClassWeighting ClassWeighting { get; set; } = ClassWeighting.None;

    /// <summary>Throws an exception naming the first option that is out of range.</summary>
    internal override void Validate()
    {
        base.Validate();
        Require(EmbeddingSize >= 1, nameof(EmbeddingSize), EmbeddingSize, "must be at least 1");
        Require(Enum.IsDefined(Pooling), nameof(Pooling), Pooling, "is not a known pooling");
        Require(NgramLength >= 0, nameof(NgramLength), NgramLength, "must not be negative (0 = off)");
        Require(NgramBuckets is >= 1 and <= NgramBag.MaxBuckets, nameof(NgramBuckets), NgramBuckets, $"must be in [1, {NgramBag.MaxBuckets}]");
        Require(EmbeddingDropout is >= 0f and < 1f, nameof(EmbeddingDropout), EmbeddingDropout, "must be in [0, 1)");
        Require(WordDropout is >= 0f and < 1f, nameof(WordDropout), WordDropout, "must be in [0, 1)");
        Require(Enum.IsDefined(ClassWeighting), nameof(ClassWeighting), ClassWeighting, "is not a known class weighting");
    }
}
