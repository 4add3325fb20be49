using Microsoft.ML.Recurrent.Layers;
namespace Microsoft.ML.Recurrent;

/// <summary>
/// Architecture, training and decoding settings of an image captioner. Defaults: an LSTM of 1 × 128 units over
/// 64-wide word embeddings, 20 epochs of batches of 32 (image, caption) pairs, Adam 0.003, clip ±5, no validation
/// (a <see cref="RecurrentTrainerOptions.ValidationFraction"/> holds out that fraction of the images, with all their
/// captions). <see cref="RecurrentTrainerOptions.Dropout"/> applies between layers and before the output; the
/// <see cref="RecurrentTrainerOptions.Seed"/> also seeds <see cref="CaptionDecoding.Sampling"/>.
/// </summary>
public sealed class CaptionerOptions : RecurrentTrainerOptions
{
    /// <summary>Creates the defaults.</summary>
    public CaptionerOptions()
    {
        Cell = RecurrentCell.Lstm;
        HiddenSize = 128;
        Layers = 1;
        MaxEpochs = 20;
        BatchSize = 32;
        LearningRate = 0.003f;
        GradientClip = 5f;
    }

    /// <summary>Width of the word embedding.</summary>
    public int EmbeddingSize { get; set; } = 64;
    /// <summary>Where the image features enter the network.</summary>
    public ImageConditioning Conditioning { get; set; } = ImageConditioning.Both;
    /// <summary>Words seen fewer times in the training captions become &lt;UNK&gt;.</summary>
    public int MinWordCount { get; set; } = 1;
    /// <summary>Longest caption trained on and generated, in words (longer training captions are cut, and then teach no &lt;END&gt;).</summary>
    public int MaxCaptionLength { get; set; } = 16;
    /// <summary>How captions are written.</summary>
    public CaptionDecoding Decoding { get; set; } = CaptionDecoding.Greedy;
    /// <summary>Beam size of <see cref="CaptionDecoding.BeamSearch"/>.</summary>
    public int BeamSize { get; set; } = 3;
    /// <summary>Temperature of <see cref="CaptionDecoding.Sampling"/> (&gt; 0).</summary>
    public float Temperature { get; set; } = 1f;

    /// <summary>Throws an exception naming the first option that is out of range.</summary>
    internal override void Validate()
    {
        base.Validate();
        Require(EmbeddingSize > 0, nameof(EmbeddingSize), EmbeddingSize, "must be positive");
        Require(Enum.IsDefined(Conditioning), nameof(Conditioning), Conditioning, "is not a known conditioning");
        Require(MinWordCount > 0, nameof(MinWordCount), MinWordCount, "must be positive");
        Require(MaxCaptionLength > 0, nameof(MaxCaptionLength), MaxCaptionLength, "must be positive");
        Require(Enum.IsDefined(Decoding), nameof(Decoding), Decoding, "is not a known decoding");
        Require(BeamSize > 0, nameof(BeamSize), BeamSize, "must be positive");
        Require(float.IsFinite(Temperature) && Temperature > 0, nameof(Temperature), Temperature, "must be finite and positive");
    }
}
