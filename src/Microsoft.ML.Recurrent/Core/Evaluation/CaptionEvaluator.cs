using Microsoft.ML.Recurrent.Evaluation;
using Microsoft.ML.Recurrent.Text;

namespace Microsoft.ML.Recurrent;

/// <summary>
/// Scores generated captions against several references per image. Sentences are split into lower-cased
/// words with punctuation dropped (the captioner's own tokenisation).
/// </summary>
public static class CaptionEvaluator
{
    private const int MaxN = 4;
    private const double CiderSigma = 6.0;

    /// <summary>BLEU-1…4 and CIDEr-D of <paramref name="candidates"/>, one per image, against each image's references.</summary>
    public static CaptionMetrics Evaluate(IReadOnlyList<string> candidates, IReadOnlyList<IReadOnlyList<string>> references)
    {
        var bleu = Bleu(candidates, references);
        return new CaptionMetrics(bleu[0], bleu[1], bleu[2], bleu[3], Cider(candidates, references));
    }

    /// <summary>
    /// Corpus BLEU (Papineni et al.): for n = 1…4, BLEU-n = BP · exp(mean of log p_1…p_n), where p_k sums each
    /// candidate's k-gram counts clipped by the most any one reference has, over all candidates' k-grams; the
    /// brevity penalty BP = exp(1 − r/c) when the total candidate length c is below r, the sum of the
    /// reference lengths closest to each candidate's (the shorter on ties).
    /// </summary>
    /// <returns>BLEU-1, BLEU-2, BLEU-3, BLEU-4.</returns>
    public static double[] Bleu(IReadOnlyList<string> candidates, IReadOnlyList<IReadOnlyList<string>> references)
    {
        var (hypotheses, refs) = Tokenize(candidates, references);
        return CorpusBleu.Compute(hypotheses, refs);
    }

    /// <summary>
    /// CIDEr-D (Vedantam et al., as in the COCO caption evaluation): for n = 1…4, tf-idf vectors of n-gram
    /// counts with idf = log(images) − log(max(1, images whose references contain the n-gram)); each
    /// reference scores the cosine of the candidate's vector, its counts clipped by the reference's, times a
    /// Gaussian length penalty exp(−(lc − lr)²/(2·6²)); the image scores 10 × the mean over references and
    /// n; the corpus scores the mean over images.
    /// </summary>
    public static double Cider(IReadOnlyList<string> candidates, IReadOnlyList<IReadOnlyList<string>> references)
    {
        var (hypotheses, refs) = Tokenize(candidates, references);
        var documentFrequency = new Dictionary<string, int>[MaxN];
        for (int n = 1; n <= MaxN; n++)
        {
            documentFrequency[n - 1] = new(StringComparer.Ordinal);
            foreach (var imageRefs in refs)
                foreach (var gram in imageRefs.SelectMany(r => NGrams.Count(r, n).Keys).Distinct())
                    documentFrequency[n - 1][gram] = documentFrequency[n - 1].GetValueOrDefault(gram) + 1;
        }
        double logImages = Math.Log(hypotheses.Count), total = 0;
        for (int i = 0; i < hypotheses.Count; i++)
        {
            double imageScore = 0;
            foreach (var r in refs[i])
            {
                double penalty = Math.Exp(-Math.Pow(hypotheses[i].Count - r.Count, 2) / (2 * CiderSigma * CiderSigma));
                for (int n = 1; n <= MaxN; n++)
                {
                    var h = Weights(NGrams.Count(hypotheses[i], n), documentFrequency[n - 1], logImages);
                    var g = Weights(NGrams.Count(r, n), documentFrequency[n - 1], logImages);
                    double dot = h.Sum(kv => Math.Min(kv.Value, g.GetValueOrDefault(kv.Key)) * g.GetValueOrDefault(kv.Key));
                    double norms = Norm(h) * Norm(g);
                    imageScore += norms > 0 ? penalty * dot / norms : 0;
                }
            }
            total += 10.0 * imageScore / (MaxN * refs[i].Count);
        }
        return total / hypotheses.Count;
    }

    private static Dictionary<string, double> Weights(Dictionary<string, int> counts, Dictionary<string, int> documentFrequency, double logImages)
        => counts.ToDictionary(kv => kv.Key, kv => kv.Value * (logImages - Math.Log(Math.Max(1, documentFrequency.GetValueOrDefault(kv.Key)))));

    private static double Norm(Dictionary<string, double> vector) => Math.Sqrt(vector.Values.Sum(x => x * x));

    private static (List<List<string>> Hypotheses, List<List<List<string>>> References) Tokenize(
        IReadOnlyList<string> candidates, IReadOnlyList<IReadOnlyList<string>> references)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(references);
        if (candidates.Count == 0 || candidates.Count != references.Count)
            throw new ArgumentException($"Need one reference list per candidate; got {candidates.Count} candidates and {references.Count} lists.", nameof(references));
        if (references.Any(r => r is null || r.Count == 0))
            throw new ArgumentException("Every candidate needs at least one reference.", nameof(references));
        return ([.. candidates.Select(WordVocabulary.Tokenize)], [.. references.Select(r => r.Select(WordVocabulary.Tokenize).ToList())]);
    }
}
