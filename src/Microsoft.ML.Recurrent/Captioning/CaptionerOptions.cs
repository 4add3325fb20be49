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
    /// <summary>
    /// With <see cref="ImageConditioning.Attention"/>: how many regions the features hold (49 for the 7×7 grid of
    /// <see cref="ImageFeaturizerModels.WriteResNet18WithGrid(string, ResNet18Stage, int, string)"/>); the features are then regions × channels values,
    /// channel-major (value c·regions + r).
    /// </summary>
    public int AttentionRegions { get; set; } = 49;
    /// <summary>Hidden width of the additive attention score v·tanh(a·Wa + h·Wh); null: <see cref="RecurrentTrainerOptions.HiddenSize"/>.</summary>
    public int? AttentionSize { get; set; }
    /// <summary>Whether the context is scaled by a learned gate β = σ(h·wβ + b) that lets a word rely on the language model rather than the image.</summary>
    public bool AttentionGate { get; set; } = true;
    /// <summary>Which decoder state scores the regions and where the context goes (see <see cref="Recurrent.AttentionQuery"/>).</summary>
    public AttentionQuery AttentionQuery { get; set; } = AttentionQuery.PreviousState;
    /// <summary>
    /// λ of the doubly-stochastic regulariser λ Σ_r (1 − Σ_t α_tr)², which asks every region to receive about one
    /// unit of attention over a caption (0: off). Added to the per-word training loss, divided by the words of the
    /// batch like it; the reported loss is the cross-entropy alone.
    /// </summary>
    public float AttentionCoverage { get; set; }

    /// <summary>
    /// Probability that, in training, the previous word fed to a step is replaced by &lt;UNK&gt; (0: off), so the next
    /// word has to come from the image more and from the words before it less: a colour word then predicts no shape.
    /// </summary>
    public float WordDropout { get; set; }

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

    internal int EffectiveAttentionSize => AttentionSize ?? HiddenSize;

    /// <summary>Throws an exception naming the first option that is out of range.</summary>
    internal override void Validate()
    {
        base.Validate();
        Require(EmbeddingSize > 0, nameof(EmbeddingSize), EmbeddingSize, "must be positive");
        Require(Enum.IsDefined(Conditioning), nameof(Conditioning), Conditioning, "is not a known conditioning");
        Require(AttentionRegions > 0, nameof(AttentionRegions), AttentionRegions, "must be positive");
        Require(Enum.IsDefined(AttentionQuery), nameof(AttentionQuery), AttentionQuery, "is not a known attention query");
        Require(AttentionSize is null or > 0, nameof(AttentionSize), AttentionSize, "must be positive");
        Require(float.IsFinite(AttentionCoverage) && AttentionCoverage >= 0, nameof(AttentionCoverage), AttentionCoverage, "must be finite and non-negative");
        Require(WordDropout is >= 0f and < 1f, nameof(WordDropout), WordDropout, "must be in [0, 1)");
        Require(MinWordCount > 0, nameof(MinWordCount), MinWordCount, "must be positive");
        Require(MaxCaptionLength > 0, nameof(MaxCaptionLength), MaxCaptionLength, "must be positive");
        Require(Enum.IsDefined(Decoding), nameof(Decoding), Decoding, "is not a known decoding");
        Require(BeamSize > 0, nameof(BeamSize), BeamSize, "must be positive");
        Require(float.IsFinite(Temperature) && Temperature > 0, nameof(Temperature), Temperature, "must be finite and positive");
    }
}
