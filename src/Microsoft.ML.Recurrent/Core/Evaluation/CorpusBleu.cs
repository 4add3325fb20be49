namespace Microsoft.ML.Recurrent.Evaluation;

/// <summary>
/// Corpus BLEU (Papineni et al.) over already-tokenised sequences, each hypothesis with one or more references:
/// for n = 1…4, BLEU-n = BP · exp(mean of log p_1…p_n), where p_k sums each hypothesis's k-gram counts clipped by
/// the most any one of its references has, over all hypotheses' k-grams (BLEU-n is 0 when a p_k is 0); the
/// brevity penalty BP = exp(1 − r/c) when the total hypothesis length c is at most r, the sum of the reference
/// lengths closest to each hypothesis's (the shorter on ties), else 1. BLEU-4 is the PyTorch reference's
/// <c>corpus_bleu</c> exactly.
/// </summary>
internal static class CorpusBleu
{
    public const int MaxOrder = 4;

    /// <summary>BLEU-1…4 of <paramref name="hypotheses"/> against their <paramref name="references"/> (callers validate: same count, each with a reference).</summary>
    public static double[] Compute(IReadOnlyList<IReadOnlyList<string>> hypotheses, IReadOnlyList<IReadOnlyList<IReadOnlyList<string>>> references)
    {
        // Tokens become ids of this call, so that an n-gram is a tuple of ids whatever characters the tokens hold.
        var ids = new TokenIds();
        return Compute([.. hypotheses.Select(ids.Encode)], [.. references.Select(r => r.Select(ids.Encode).ToArray())]);
    }

    /// <summary>BLEU-1…4 of token-id sequences (any ids but −1, which marks an n-gram's unused places), as the overload on strings.</summary>
    public static double[] Compute(IReadOnlyList<int[]> hypotheses, IReadOnlyList<int[][]> references)
    {
        var matches = new long[MaxOrder];
        var totals = new long[MaxOrder];
        long hypothesisLength = 0, referenceLength = 0;
        var hypothesisCounts = new Dictionary<Gram, int>();
        var maxReferenceCounts = new Dictionary<Gram, int>();
        var referenceCounts = new Dictionary<Gram, int>();
        for (int i = 0; i < hypotheses.Count; i++)
        {
            int[] h = hypotheses[i];
            int[][] refs = references[i];
            hypothesisLength += h.Length;
            referenceLength += refs.Select(r => r.Length).OrderBy(length => Math.Abs(length - h.Length)).ThenBy(length => length).First();
            for (int n = 1; n <= MaxOrder; n++)
            {
                Count(h, n, hypothesisCounts);
                maxReferenceCounts.Clear();
                foreach (int[] r in refs)
                {
                    Count(r, n, referenceCounts);
                    foreach (var (gram, count) in referenceCounts)
                        maxReferenceCounts[gram] = Math.Max(maxReferenceCounts.GetValueOrDefault(gram), count);
                }
                foreach (var (gram, count) in hypothesisCounts)
                {
                    matches[n - 1] += Math.Min(count, maxReferenceCounts.GetValueOrDefault(gram));
                    totals[n - 1] += count;
                }
            }
        }
        double brevity = hypothesisLength == 0 ? 0 : hypothesisLength > referenceLength ? 1 : Math.Exp(1 - (double)referenceLength / hypothesisLength);
        var bleu = new double[MaxOrder];
        double logSum = 0;
        for (int n = 1; n <= MaxOrder; n++)
        {
            logSum += matches[n - 1] > 0 ? Math.Log((double)matches[n - 1] / totals[n - 1]) : double.NegativeInfinity;
            bleu[n - 1] = brevity * Math.Exp(logSum / n);
        }
        return bleu;
    }

    // The n-grams of ids (unused places -1) with their counts, into counts (cleared first).
    private static void Count(int[] tokens, int n, Dictionary<Gram, int> counts)
    {
        counts.Clear();
        for (int i = 0; i + n <= tokens.Length; i++)
        {
            var gram = new Gram(tokens[i], n > 1 ? tokens[i + 1] : -1, n > 2 ? tokens[i + 2] : -1, n > 3 ? tokens[i + 3] : -1);
            counts[gram] = counts.GetValueOrDefault(gram) + 1;
        }
    }

    private readonly record struct Gram(int First, int Second, int Third, int Fourth);
}
