namespace Microsoft.ML.Recurrent;

/// <summary>Architecture, training and decoding settings of an image captioner.</summary>
public sealed class CaptionerOptions
{
    /// <summary>Recurrent cell of every layer.</summary>
    public RecurrentCell Cell { get; set; } = RecurrentCell.Lstm;
    /// <summary>Width of the word embedding.</summary>
    public int EmbeddingSize { get; set; } = 64;
    /// <summary>Hidden units per layer.</summary>
    public int HiddenSize { get; set; } = 128;
    /// <summary>Stacked recurrent layers.</summary>
    public int Layers { get; set; } = 1;
    /// <summary>Where the image features enter the network.</summary>
    public ImageConditioning Conditioning { get; set; } = ImageConditioning.Both;
    /// <summary>Dropout between layers and before the output, in [0, 1).</summary>
    public float Dropout { get; set; }
    /// <summary>Words seen fewer times in the training captions become &lt;UNK&gt;.</summary>
    public int MinWordCount { get; set; } = 1;
    /// <summary>Longest caption trained on and generated, in words (longer training captions are cut, and then teach no &lt;END&gt;).</summary>
    public int MaxCaptionLength { get; set; } = 16;
    /// <summary>Passes over all (image, caption) pairs.</summary>
    public int Epochs { get; set; } = 20;
    /// <summary>(Image, caption) pairs per update.</summary>
    public int BatchSize { get; set; } = 32;
    /// <summary>Update rule.</summary>
    public OptimizerKind Optimizer { get; set; } = OptimizerKind.Adam;
    /// <summary>Step size.</summary>
    public float LearningRate { get; set; } = 0.003f;
    /// <summary>Element-wise gradient clipping to [−c, c] (0 = off).</summary>
    public float GradientClip { get; set; } = 5f;
    /// <summary>Seed of initialisation, shuffling, dropout and sampling.</summary>
    public int Seed { get; set; } = 1;
    /// <summary>How captions are written.</summary>
    public CaptionDecoding Decoding { get; set; } = CaptionDecoding.Greedy;
    /// <summary>Beam size of <see cref="CaptionDecoding.BeamSearch"/>.</summary>
    public int BeamSize { get; set; } = 3;
    /// <summary>Temperature of <see cref="CaptionDecoding.Sampling"/> (&gt; 0).</summary>
    public float Temperature { get; set; } = 1f;
    /// <summary>Receives the mean loss per word after every epoch.</summary>
    public IProgress<TrainingProgress>? Progress { get; set; }

    internal void Validate()
    {
        Require(EmbeddingSize > 0 && HiddenSize > 0 && Layers > 0, nameof(HiddenSize), HiddenSize, "sizes and layers must be positive");
        Require(Dropout is >= 0f and < 1f, nameof(Dropout), Dropout, "must be in [0, 1)");
        Require(MinWordCount > 0 && MaxCaptionLength > 0, nameof(MaxCaptionLength), MaxCaptionLength, "counts must be positive");
        Require(Epochs > 0 && BatchSize > 0, nameof(Epochs), Epochs, "epochs and batch size must be positive");
        Require(float.IsFinite(LearningRate) && LearningRate > 0, nameof(LearningRate), LearningRate, "must be finite and positive");
        Require(float.IsFinite(GradientClip) && GradientClip >= 0, nameof(GradientClip), GradientClip, "must be finite and non-negative");
        Require(BeamSize > 0, nameof(BeamSize), BeamSize, "must be positive");
        Require(float.IsFinite(Temperature) && Temperature > 0, nameof(Temperature), Temperature, "must be finite and positive");
    }

    private static void Require(bool condition, string name, object value, string message)
    {
        if (!condition) throw new ArgumentOutOfRangeException(name, value, $"{name} {message}.");
    }
}
