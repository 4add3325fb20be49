using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Captioning;

/// <summary>BLEU and CIDEr-D against values worked out by hand.</summary>
public class CaptionEvaluatorTests
{
    [Fact]
    public void BleuMatchesHandComputedPrecisions()
    {
        // unigrams 5/6 (the×2, cat, on, mat), bigrams 3/5, trigrams 1/4 ("on the mat"), 4-grams 0/3; equal lengths: BP 1
        var bleu = CaptionEvaluator.Bleu(["the cat sat on the mat"], [["the cat is on the mat"]]);
        Assert.Equal(5.0 / 6, bleu[0], 10);
        Assert.Equal(Math.Sqrt(5.0 / 6 * 3 / 5), bleu[1], 10);
        Assert.Equal(0.5, bleu[2], 10);
        Assert.Equal(0, bleu[3]);
    }

    [Fact]
    public void BleuClipsCountsByTheReferenceAndTakesTheClosestReferenceLength()
    {
        // "the" ×3 matches at most the 1 "the" of a reference; reference lengths 2 and 6: the closest to 3 is 2 (BP 1)
        Assert.Equal(1.0 / 3, CaptionEvaluator.Bleu(["the the the"], [["the cat", "a the b c d e"]])[0], 10);
        // one short reference of length 6 for a candidate of 2: BP = exp(1 − 6/2)
        Assert.Equal(Math.Exp(-2), CaptionEvaluator.Bleu(["the cat"], [["the cat is on the mat"]])[0], 10);
        // with a second reference of length 2 the penalty goes away
        Assert.Equal(1.0, CaptionEvaluator.Bleu(["the cat"], [["the cat is on the mat", "a cat"]])[1], 10);
    }

    [Fact]
    public void BleuSumsCountsOverTheCorpus()
    {
        // unigrams (2 + 1)/4, bigrams (1 + 0)/2: BLEU-2 = √(0.75 · 0.5)
        var bleu = CaptionEvaluator.Bleu(["a b", "c d"], [["a b"], ["c e"]]);
        Assert.Equal(0.75, bleu[0], 10);
        Assert.Equal(Math.Sqrt(0.375), bleu[1], 10);
    }

    [Fact]
    public void CiderIsTenForExactMatchesAndZeroWithoutOverlap()
    {
        // Two images with disjoint words: every n-gram has idf log 2, so each exact candidate's vectors equal its
        // reference's (cosine 1 for n = 1…4, ×10); a candidate sharing nothing scores 0.
        string[][] references = [["a red circle here"], ["two blue squares there"]];
        Assert.Equal(10.0, CaptionEvaluator.Cider(["a red circle here", "two blue squares there"], references), 10);
        Assert.Equal(5.0, CaptionEvaluator.Cider(["x y z w", "two blue squares there"], references), 10);
    }

    [Fact]
    public void CiderAppliesTheLengthPenaltyAndIdf()
    {
        // Image 1: candidate "a b" vs reference "a b c": unigrams a, b match (c is missing), bigram "a b" matches,
        // no trigram in the candidate. All n-grams occur in one image of two: idf log 2 for all, so the cosines
        // are 2/√(2·3) for unigrams, 1/√2 for bigrams, 0 for 3- and 4-grams; length penalty exp(−1/72).
        double expected = 10 * Math.Exp(-1.0 / 72) * (2 / Math.Sqrt(6) + 1 / Math.Sqrt(2)) / 4;
        double score = CaptionEvaluator.Cider(["a b", "d e"], [["a b c"], ["d e"]]);
        Assert.Equal((expected + 10 * (1 + 1 + 0 + 0) / 4.0) / 2, score, 10);
    }

    [Fact]
    public void EvaluateReportsAllScoresAndRejectsMissingReferences()
    {
        var metrics = CaptionEvaluator.Evaluate(["a red circle on the left"], [["A red circle, on the left."]]);
        Assert.Equal(1.0, metrics.Bleu4, 10); // case and punctuation are ignored
        Assert.Throws<ArgumentException>(() => CaptionEvaluator.Evaluate(["a"], []));
        Assert.Throws<ArgumentException>(() => CaptionEvaluator.Evaluate(["a"], [[]]));
    }
}
