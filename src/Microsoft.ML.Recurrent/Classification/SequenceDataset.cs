namespace Microsoft.ML.Recurrent.Classification;

/// <summary>
/// Labelled variable-length sequences for the classifier: token ids in [0, Vocabulary) (0 may stand for an
/// unknown token), or float steps of <see cref="StepWidth"/> values each (flattened). Every sequence has at least
/// one step and every value is finite; the constructor checks, so training never meets a bad row.
/// </summary>
internal sealed class SequenceDataset
{
    private SequenceDataset(int[][]? tokens, float[][]? features, int vocabulary, int stepWidth, int[] labels, int classes)
    {
        Tokens = tokens;
        Features = features;
        Vocabulary = vocabulary;
        StepWidth = stepWidth;
        Labels = labels;
        Classes = classes;
        int count = tokens?.Length ?? features!.Length;
        if (labels.Length != count) throw new ArgumentException($"{count} sequences but {labels.Length} labels.", nameof(labels));
        for (int i = 0; i < labels.Length; i++)
            if ((uint)labels[i] >= (uint)classes)
                throw new ArgumentOutOfRangeException(nameof(labels), labels[i], $"Row {i}: the label must be in [0, {classes}).");
    }

    public int[][]? Tokens { get; }
    public float[][]? Features { get; }
    public int Vocabulary { get; }
    public int StepWidth { get; }
    public int[] Labels { get; }
    public int Classes { get; }
    public int Count => Labels.Length;

    public int Length(int i) => Tokens != null ? Tokens[i].Length : Features![i].Length / StepWidth;

    public static SequenceDataset FromTokens(int[][] tokens, int vocabulary, int[] labels, int classes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vocabulary);
        for (int i = 0; i < tokens.Length; i++)
        {
            if (tokens[i].Length == 0) throw new ArgumentException($"Row {i}: the sequence is empty.", nameof(tokens));
            foreach (int id in tokens[i])
                if ((uint)id >= (uint)vocabulary) throw new ArgumentOutOfRangeException(nameof(tokens), id, $"Row {i}: token ids must be in [0, {vocabulary}).");
        }
        return new SequenceDataset(tokens, null, vocabulary, 0, labels, classes);
    }

    public static SequenceDataset FromFeatures(float[][] features, int stepWidth, int[] labels, int classes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stepWidth);
        for (int i = 0; i < features.Length; i++)
        {
            if (features[i].Length == 0 || features[i].Length % stepWidth != 0)
                throw new ArgumentException($"Row {i}: {features[i].Length} values are not a positive whole number of steps of {stepWidth}.", nameof(features));
            if (!features[i].All(float.IsFinite))
                throw new ArgumentException($"Row {i}: the sequence holds NaN or infinite values.", nameof(features));
        }
        return new SequenceDataset(null, features, 0, stepWidth, labels, classes);
    }
}
