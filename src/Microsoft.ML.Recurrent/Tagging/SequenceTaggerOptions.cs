using Microsoft.ML.Recurrent.Layers;

namespace Microsoft.ML.Recurrent;

/// <summary>
/// Architecture and training settings of a recurrent sequence tagger (a label for every token). The defaults — a
/// bidirectional LSTM of 128 units per direction over 100-wide word embeddings and 50 character features per word (a
/// bidirectional LSTM of 25 units over 25-wide character embeddings), Adam 0.002 with global-norm clipping at 5,
/// batches of 32 sentences of similar length, dropout 0.25 on the input and the outputs, 5% of the training words
/// replaced by the unknown word, validation at the end of every epoch on 10% of the training sentences (or the
/// validation sentences given), keeping the best epoch — are tuned on part-of-speech tagging of the Brown corpus;
/// see the README for the measured figures.
/// <see cref="RecurrentTrainerOptions.Dropout"/> applies between layers and to the top outputs.
/// </summary>
public class SequenceTaggerOptions : RecurrentTrainerOptions
{
    /// <summary>Creates the defaults.</summary>
    public SequenceTaggerOptions()
    {
        Cell = RecurrentCell.Lstm;
        HiddenSize = 128;
        Layers = 1;
        Dropout = 0.25f;
        BatchSize = 32;
        LearningRate = 0.002f;
        MaxGradientNorm = 5f;
        MaxEpochs = 20;
        ValidationFraction = 0.1;
        Patience = 3;
    }

    /// <summary>Width of the word embedding (word input; float input uses its declared step width).</summary>
    public int EmbeddingSize { get; set; } = 100;

    /// <summary>Width of the character embedding of the character features (0 = no character features).</summary>
    public int CharacterEmbeddingSize { get; set; } = 25;

    /// <summary>Hidden units per direction of the recurrence over each word's characters.</summary>
    public int CharacterHiddenSize { get; set; } = 25;

    /// <summary>Whether each layer also reads the sentence backwards (the directions' states are concatenated).</summary>
    public bool Bidirectional { get; set; } = true;

    /// <summary>Dropout on each step's input (word embedding and character features), in [0, 1).</summary>
    public float EmbeddingDropout { get; set; } = 0.25f;

    /// <summary>
    /// Probability that a training word is read as the unknown word (its characters are still read), in [0, 1): the
    /// unknown word's embedding is then learned, for the words never seen in training that it stands for at
    /// prediction time.
    /// </summary>
    public float WordDropout { get; set; } = 0.05f;

    /// <summary>Whether words are lower-cased before their embedding is looked up (the characters keep their case).</summary>
    public bool LowercaseWords { get; set; } = true;

    /// <summary>Words seen fewer times than this in training are read as the unknown word.</summary>
    public int MinWordCount { get; set; } = 1;

    /// <summary>
    /// Whether a linear-chain CRF scores the label sequence (transitions between labels learned, decoded with Viterbi),
    /// the classic output for entity tagging; otherwise each step's label is the most probable on its own.
    /// </summary>
    public bool UseCrf { get; set; }

    /// <summary>Throws an exception naming the first option that is out of range.</summary>
    internal override void Validate()
    {
        base.Validate();
        Require(EmbeddingSize is >= 1 and <= StackShape.MaxWidth, nameof(EmbeddingSize), EmbeddingSize, $"must be in [1, {StackShape.MaxWidth}]");
        Require(CharacterEmbeddingSize is >= 0 and <= StackShape.MaxWidth, nameof(CharacterEmbeddingSize), CharacterEmbeddingSize, "must be in [0, 65536] (0 = no character features)");
        Require(CharacterHiddenSize is >= 1 and <= StackShape.MaxWidth, nameof(CharacterHiddenSize), CharacterHiddenSize, "must be in [1, 65536]");
        Require(EmbeddingDropout is >= 0f and < 1f, nameof(EmbeddingDropout), EmbeddingDropout, "must be in [0, 1)");
        Require(WordDropout is >= 0f and < 1f, nameof(WordDropout), WordDropout, "must be in [0, 1)");
        Require(MinWordCount >= 1, nameof(MinWordCount), MinWordCount, "must be at least 1");
    }

    /// <summary>The task's settings that shape the training trajectory, for the checkpoint fingerprint.</summary>
    internal string TaskSettings() => FormattableString.Invariant(
        $"{EmbeddingSize}|{CharacterEmbeddingSize}|{CharacterHiddenSize}|{Bidirectional}|{EmbeddingDropout}|{WordDropout}|{LowercaseWords}|{MinWordCount}|{UseCrf}");
}
