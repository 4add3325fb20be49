namespace Microsoft.ML.Recurrent.Tagging;

/// <summary>
/// Sentences as a tagger trains on them: per sentence, word ids (or float steps of <see cref="StepWidth"/> values),
/// each token's character ids (with character features), and label ids, one per step.
/// </summary>
internal sealed class TaggingDataset
{
    private TaggingDataset(int[][]? words, int[][][]? characters, float[][]? features, int stepWidth, int[][] labels, int labelCount)
    {
        Words = words;
        Characters = characters;
        Features = features;
        StepWidth = stepWidth;
        Labels = labels;
        LabelCount = labelCount;
    }

    /// <summary>The label id of a validation or test token whose label the training data lacks: it is never predicted, so it counts as wrong.</summary>
    public const int UnknownLabel = -2;

    public int[][]? Words { get; }
    public int[][][]? Characters { get; }
    public float[][]? Features { get; }
    public int StepWidth { get; }
    public int[][] Labels { get; }
    public int LabelCount { get; }
    public int Count => Labels.Length;
    public int Length(int sentence) => Labels[sentence].Length;
    public long TokenCount => Labels.Sum(l => (long)l.Length);

    /// <summary>
    /// Sentences mapped through the vocabulary. A label outside it is an error naming the sentence, or, with
    /// <paramref name="allowUnknownLabels"/> (validation and test data), <see cref="UnknownLabel"/>.
    /// </summary>
    public static TaggingDataset FromSentences(IReadOnlyList<TaggedSentence> sentences, TaggerVocabulary vocabulary, bool characters,
        bool allowUnknownLabels = false)
    {
        var words = new int[sentences.Count][];
        var chars = characters ? new int[sentences.Count][][] : null;
        var labels = new int[sentences.Count][];
        for (int s = 0; s < sentences.Count; s++)
        {
            var sentence = sentences[s];
            if (sentence.Tokens.Count == 0) throw new ArgumentException($"Sentence {s} is empty; every sentence needs at least one token.", nameof(sentences));
            words[s] = [.. sentence.Tokens.Select(vocabulary.WordId)];
            if (chars != null) chars[s] = [.. sentence.Tokens.Select(vocabulary.CharacterIdsOf)];
            labels[s] = new int[sentence.Labels.Count];
            for (int t = 0; t < labels[s].Length; t++)
            {
                int id = vocabulary.LabelId(sentence.Labels[t]);
                if (id < 0 && !allowUnknownLabels)
                    throw new ArgumentException($"Sentence {s}, token {t} ('{sentence.Tokens[t]}') has the label '{sentence.Labels[t]}', which the training data does not have.", nameof(sentences));
                labels[s][t] = id < 0 ? UnknownLabel : id;
            }
        }
        return new TaggingDataset(words, chars, null, 0, labels, vocabulary.Labels.Length);
    }

    /// <summary>Float steps of <paramref name="stepWidth"/> values (finite) per sentence and label ids in [0, labelCount).</summary>
    public static TaggingDataset FromSteps(float[][] features, int stepWidth, int[][] labels, int labelCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stepWidth);
        for (int s = 0; s < features.Length; s++)
        {
            if (features[s].Length % stepWidth != 0)
                throw new ArgumentException($"Sequence {s} holds {features[s].Length} values, not a multiple of the step width {stepWidth}.", nameof(features));
            if (!features[s].All(float.IsFinite))
                throw new ArgumentException($"Sequence {s} holds a NaN or infinite value.", nameof(features));
        }
        Check(labels, labelCount, features.Length, s => features[s].Length / stepWidth);
        return new TaggingDataset(null, null, features, stepWidth, labels, labelCount);
    }

    private static void Check(int[][] labels, int labelCount, int count, Func<int, int> steps)
    {
        if (labels.Length != count) throw new ArgumentException($"Expected the labels of {count} sequences, got {labels.Length}.", nameof(labels));
        for (int s = 0; s < count; s++)
        {
            if (steps(s) == 0) throw new ArgumentException($"Sequence {s} is empty; every sequence needs at least one step.", nameof(labels));
            if (labels[s].Length != steps(s))
                throw new ArgumentException($"Sequence {s} has {steps(s)} steps but {labels[s].Length} labels; it needs one label per step.", nameof(labels));
            foreach (int label in labels[s])
                if ((uint)label >= (uint)labelCount) throw new ArgumentException($"Sequence {s} has the label id {label}, outside [0, {labelCount}).", nameof(labels));
        }
    }
}
