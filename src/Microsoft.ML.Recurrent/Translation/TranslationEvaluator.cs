using Microsoft.ML.Recurrent.Evaluation;

namespace Microsoft.ML.Recurrent;

/// <summary>Scores predicted token sequences against references: BLEU, sequence and token error rates (see <see cref="TranslationMetrics"/>).</summary>
public static class TranslationEvaluator
{
    /// <summary>
    /// The metrics of <paramref name="predictions"/>, one token sequence per item, against each item's reference
    /// sequences (already tokenised, as the model reads and writes them; an empty prediction is allowed).
    /// </summary>
    /// <exception cref="ArgumentNullException">A list is null.</exception>
    /// <exception cref="ArgumentException">There are no items, the counts differ, an item has no reference or a reference has
    /// no token, or a token sequence holds a null token (the item is named).</exception>
    public static TranslationMetrics Evaluate(IReadOnlyList<IReadOnlyList<string>> predictions, IReadOnlyList<IReadOnlyList<IReadOnlyList<string>>> references)
    {
        Validate(predictions, references);
        var ids = new TokenIds();
        return EvaluateIds([.. predictions.Select(ids.Encode)], [.. references.Select(r => r.Select(ids.Encode).ToArray())]);
    }

    /// <summary>The metrics of token-id sequences, as the overload on strings (callers validate: same count, each item with a non-empty reference).</summary>
    internal static TranslationMetrics EvaluateIds(IReadOnlyList<int[]> predictions, IReadOnlyList<int[][]> references)
    {
        int wrong = 0;
        long distance = 0, length = 0;
        for (int i = 0; i < predictions.Count; i++)
        {
            int[] prediction = predictions[i];
            if (!references[i].Any(r => r.AsSpan().SequenceEqual(prediction))) wrong++;
            // The closest reference; on equal distances the shorter, as the reference implementation's min over (distance, length).
            var (d, l) = references[i].Select(r => (EditDistance.Levenshtein<int>(prediction, r), r.Length)).Min();
            distance += d;
            length += l;
        }
        var bleu = CorpusBleu.Compute(predictions, references);
        return new TranslationMetrics(predictions.Count, bleu[3], bleu[0], bleu[1], bleu[2],
            (double)wrong / predictions.Count, (double)distance / length);
    }

    private static void Validate(IReadOnlyList<IReadOnlyList<string>> predictions, IReadOnlyList<IReadOnlyList<IReadOnlyList<string>>> references)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(references);
        if (predictions.Count == 0) throw new ArgumentException("There are no predictions to score.", nameof(predictions));
        if (predictions.Count != references.Count)
            throw new ArgumentException($"Need one reference list per prediction; got {predictions.Count} predictions and {references.Count} lists.", nameof(references));
        for (int i = 0; i < predictions.Count; i++)
        {
            if (predictions[i] is null || predictions[i].Any(t => t is null))
                throw new ArgumentException($"Prediction {i} is null or holds a null token.", nameof(predictions));
            if (references[i] is null || references[i].Count == 0)
                throw new ArgumentException($"Item {i} has no reference.", nameof(references));
            for (int j = 0; j < references[i].Count; j++)
                if (references[i][j] is null || references[i][j].Count == 0 || references[i][j].Any(t => t is null))
                    throw new ArgumentException($"Reference {j} of item {i} is null, empty or holds a null token.", nameof(references));
        }
    }
}
