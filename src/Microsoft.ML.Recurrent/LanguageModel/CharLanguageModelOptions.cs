using Microsoft.ML.Recurrent.LanguageModel;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Training;
namespace Microsoft.ML.Recurrent;

/// <summary>
/// Options for training a character-level language model (defaults follow char-rnn): an LSTM of 2 × 128 units,
/// 50 streams of 50 steps, Adam 2e-3, clip ±5, 10% of the text (at its end) held out and evaluated every 500
/// iterations, the best parameters kept, no stopping rule (set one; <see cref="CharLanguageModel.Train(string, CharLanguageModelOptions?, IProgress{TrainingProgress}?, CancellationToken)"/>
/// with null options trains 10 epochs). <see cref="RecurrentTrainerOptions.BatchSize"/> is the number of parallel
/// contiguous streams the text is split into, and <see cref="RecurrentTrainerOptions.Dropout"/> applies between
/// stacked layers and before the output layer.
/// </summary>
public sealed class CharLanguageModelOptions : RecurrentTrainerOptions
{
    /// <summary>Creates the char-rnn defaults.</summary>
    public CharLanguageModelOptions()
    {
        Cell = RecurrentCell.Lstm;
        HiddenSize = 128;
        Layers = 2;
        BatchSize = 50;
        LearningRate = 2e-3f;
        GradientClip = 5f;
        ValidationFraction = 0.1;
        EvaluateEvery = 500;
    }

    /// <summary>Time steps per truncated-BPTT chunk; the hidden state is carried across chunks.</summary>
    public int SequenceLength { get; set; } = 50;
    /// <summary>Multiplicative learning-rate decay applied at the end of every epoch from <see cref="DecayAfterEpoch"/> on (1 = none).</summary>
    public float LearningRateDecay { get; set; } = 1f;
    /// <summary>First epoch (1-based) after which <see cref="LearningRateDecay"/> applies.</summary>
    public int DecayAfterEpoch { get; set; } = 10;
    /// <summary>How the weights are initialised.</summary>
    public WeightInitialization Initialization { get; set; } = WeightInitialization.Uniform;
    /// <summary>Range of the uniform initialisation (char-rnn: 0.08), or the standard deviation of the Gaussian one (min-char-rnn: 0.01).</summary>
    public float InitScale { get; set; } = 0.08f;
    /// <summary>Sum the loss over the chunk's characters instead of averaging it (min-char-rnn sums; char-rnn and PyTorch average).</summary>
    public bool SumLoss { get; set; }
    /// <summary>Characters of text to sample (temperature 0.8) at each evaluation and put in the progress report (0 = none).</summary>
    public int SampleLength { get; set; }

    /// <summary>
    /// The configuration of Karpathy's min-char-rnn: vanilla RNN, one layer of 100, seq 25, batch 1,
    /// Adagrad 0.1, clip ±5, N(0, 0.01²) weights with zero biases, loss summed over the chunk, no validation.
    /// </summary>
    public static CharLanguageModelOptions MinCharRnn() => new()
    {
        Cell = RecurrentCell.Rnn,
        HiddenSize = 100,
        Layers = 1,
        BatchSize = 1,
        SequenceLength = 25,
        Optimizer = OptimizerKind.Adagrad,
        LearningRate = 0.1f,
        GradientClip = 5f,
        Initialization = WeightInitialization.Gaussian,
        InitScale = 0.01f,
        SumLoss = true,
        ValidationFraction = 0,
    };

    /// <summary>Throws an exception naming the first option that is out of range.</summary>
    internal override void Validate()
    {
        base.Validate();
        Require(HiddenSize <= LanguageModelShape.MaxWidth, nameof(HiddenSize), HiddenSize, $"must be in [1, {LanguageModelShape.MaxWidth}]");
        Require(Layers <= LanguageModelShape.MaxLayers, nameof(Layers), Layers, $"must be in [1, {LanguageModelShape.MaxLayers}]");
        Require(SequenceLength is >= 1 and <= 1 << 16, nameof(SequenceLength), SequenceLength, "must be in [1, 65536]");
        Require((long)BatchSize * SequenceLength * HiddenSize * 4 <= int.MaxValue, nameof(BatchSize), BatchSize, "× SequenceLength × HiddenSize is too large for one chunk");
        Require(float.IsFinite(LearningRateDecay) && LearningRateDecay is > 0f and <= 1f, nameof(LearningRateDecay), LearningRateDecay, "must be in (0, 1]");
        Require(DecayAfterEpoch >= 1, nameof(DecayAfterEpoch), DecayAfterEpoch, "must be at least 1");
        Require(SampleLength >= 0, nameof(SampleLength), SampleLength, "must not be negative");
        Require(Enum.IsDefined(Initialization), nameof(Initialization), Initialization, "is not a known initialisation");
        Require(float.IsFinite(InitScale) && InitScale > 0, nameof(InitScale), InitScale, "must be a finite positive number");
    }
}
