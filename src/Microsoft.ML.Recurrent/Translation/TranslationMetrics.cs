namespace Microsoft.ML.Recurrent;

/// <summary>
/// Corpus-level scores of predicted token sequences against one or more reference sequences per item, as
/// ../shared/data/README.md defines them (g2p reports WER and PER, de-en BLEU-4). Tokens compare ordinally.
/// </summary>
/// <param name="Count">The number of items scored.</param>
/// <param name="Bleu">Corpus BLEU-4: BP · (p_1·p_2·p_3·p_4)^¼, where p_n sums each prediction's n-gram counts clipped by
/// the most any one of its references has, over all predictions' n-grams, and the brevity penalty BP = exp(1 − r/c)
/// when the total predicted length c is at most r, the sum of each item's reference length closest to its prediction's
/// (the shorter on ties), else 1.</param>
/// <param name="Bleu1">Corpus BLEU with unigrams only (BP · p_1).</param>
/// <param name="Bleu2">Corpus BLEU with up to bigrams.</param>
/// <param name="Bleu3">Corpus BLEU with up to trigrams.</param>
/// <param name="SequenceErrorRate">The share of items whose prediction equals none of their references (for g2p, the
/// word error rate WER).</param>
/// <param name="TokenErrorRate">Σ over items of the smallest edit distance (Levenshtein: insertions, deletions,
/// substitutions) from the prediction to any reference, ÷ Σ of that reference's length; where references tie on the
/// distance the shorter counts (for g2p, the phone error rate PER).</param>
public sealed record TranslationMetrics(int Count, double Bleu, double Bleu1, double Bleu2, double Bleu3, double SequenceErrorRate, double TokenErrorRate)
{
    /// <summary>The share of items whose prediction equals one of their references: 1 − <see cref="SequenceErrorRate"/>.</summary>
    public double ExactMatch => 1 - SequenceErrorRate;
}
