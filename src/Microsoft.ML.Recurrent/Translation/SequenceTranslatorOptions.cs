using Microsoft.ML.Recurrent.Layers;

namespace Microsoft.ML.Recurrent;

/// <summary>
/// Architecture and training settings of a sequence-to-sequence translator (an encoder–decoder with attention). The
/// defaults — 64-wide embeddings, a bidirectional LSTM encoder of 256 units per direction, an LSTM decoder of 256
/// units started from the encoder's final states, Luong's general attention with input feeding, Adam 0.002 with
/// global-norm clipping at 5, the learning rate halved after every epoch whose validation loss is no better, batches of
/// 64 pairs of similar length, validation at the end of every epoch on 5% of the training pairs (or the pairs given),
/// keeping the best epoch — are tuned on grapheme-to-phoneme conversion of
/// CMUdict; see the README for the measured figures. <see cref="RecurrentTrainerOptions.HiddenSize"/> and
/// <see cref="RecurrentTrainerOptions.Layers"/> size the encoder (per direction) and the decoder alike;
/// <see cref="RecurrentTrainerOptions.Dropout"/> applies between layers and to each stack's top outputs.
/// </summary>
public class SequenceTranslatorOptions : RecurrentTrainerOptions
{
    /// <summary>Creates the defaults.</summary>
    public SequenceTranslatorOptions()
    {
        Cell = RecurrentCell.Lstm;
        HiddenSize = 256;
        Layers = 1;
        BatchSize = 64;
        LearningRate = 0.002f;
        MaxGradientNorm = 5f;
        MaxEpochs = 30;
        ValidationFraction = 0.05;
        Patience = 3;
        LearningRateDecayOnPlateau = 0.5f;
    }

    /// <summary>Width of the source token embedding.</summary>
    public int SourceEmbeddingSize { get; set; } = 64;
    /// <summary>Width of the target token embedding.</summary>
    public int TargetEmbeddingSize { get; set; } = 64;
    /// <summary>Whether each encoder layer also reads the source backwards (its outputs are then twice as wide).</summary>
    public bool Bidirectional { get; set; } = true;
    /// <summary>How attention scores the encoder's outputs against the decoder's state.</summary>
    public AttentionScore Attention { get; set; } = AttentionScore.General;
    /// <summary>Whether each step's attentional vector is fed to the next step's input (Luong's input feeding).</summary>
    public bool InputFeeding { get; set; } = true;
    /// <summary>Width of the attentional vector tanh([h | context]·W + b) the next token is scored from (null = <see cref="RecurrentTrainerOptions.HiddenSize"/>).</summary>
    public int? AttentionSize { get; set; }
    /// <summary>
    /// Whether the output layer scores tokens with the target embedding's own table (fewer parameters, often better on
    /// small data); needs <see cref="AttentionSize"/> equal to <see cref="TargetEmbeddingSize"/>.
    /// </summary>
    public bool TieEmbeddings { get; set; }
    /// <summary>
    /// What validation selects the best epoch by: <see cref="TranslationValidationMetric.Loss"/> (the default), or
    /// BLEU or an error rate of greedy translations of the validation sources, which cost one decoding pass per
    /// evaluation and track what is scored (on short sentences BLEU keeps improving for epochs after the loss turns).
    /// </summary>
    public TranslationValidationMetric ValidationMetric { get; set; } = TranslationValidationMetric.Loss;
    /// <summary>Tokens seen fewer times in training read as the unknown token (on each side).</summary>
    public int MinTokenCount { get; set; } = 1;
    /// <summary>Longest source accepted, in tokens (training and translation).</summary>
    public int MaxSourceLength { get; set; } = 200;
    /// <summary>Longest training target accepted, in tokens.</summary>
    public int MaxTargetLength { get; set; } = 200;

    /// <summary>The attentional vector's width in effect.</summary>
    internal int EffectiveAttentionSize => AttentionSize ?? HiddenSize;

    /// <summary>Throws an exception naming the first option that is out of range.</summary>
    internal override void Validate()
    {
        base.Validate();
        Require(SourceEmbeddingSize is >= 1 and <= StackShape.MaxWidth, nameof(SourceEmbeddingSize), SourceEmbeddingSize, $"must be in [1, {StackShape.MaxWidth}]");
        Require(TargetEmbeddingSize is >= 1 and <= StackShape.MaxWidth, nameof(TargetEmbeddingSize), TargetEmbeddingSize, $"must be in [1, {StackShape.MaxWidth}]");
        Require(Enum.IsDefined(Attention), nameof(Attention), Attention, "is not a known attention score");
        Require(AttentionSize is null or (>= 1 and <= StackShape.MaxWidth), nameof(AttentionSize), AttentionSize, $"must be in [1, {StackShape.MaxWidth}] (null = HiddenSize)");
        Require(!TieEmbeddings || EffectiveAttentionSize == TargetEmbeddingSize, nameof(TieEmbeddings), TieEmbeddings,
            $"needs AttentionSize ({EffectiveAttentionSize}) equal to TargetEmbeddingSize ({TargetEmbeddingSize})");
        Require(Attention != AttentionScore.Dot || (Bidirectional ? 2 : 1) * HiddenSize == HiddenSize, nameof(Attention), Attention,
            "Dot needs the encoder's outputs as wide as the decoder's state: set Bidirectional to false, or use General or Additive");
        Require(Enum.IsDefined(ValidationMetric), nameof(ValidationMetric), ValidationMetric, "is not a known validation metric");
        Require(MinTokenCount >= 1, nameof(MinTokenCount), MinTokenCount, "must be at least 1");
        Require(MaxSourceLength is >= 1 and <= 1 << 16, nameof(MaxSourceLength), MaxSourceLength, "must be in [1, 65536]");
        Require(MaxTargetLength is >= 1 and <= 1 << 16, nameof(MaxTargetLength), MaxTargetLength, "must be in [1, 65536]");
    }

    /// <summary>The task's settings that shape the training trajectory, for the checkpoint fingerprint.</summary>
    internal string TaskSettings() => FormattableString.Invariant(
        $"{SourceEmbeddingSize}|{TargetEmbeddingSize}|{Bidirectional}|{Attention}|{InputFeeding}|{EffectiveAttentionSize}|{TieEmbeddings}|{ValidationMetric}|{MinTokenCount}|{MaxSourceLength}|{MaxTargetLength}");
}
