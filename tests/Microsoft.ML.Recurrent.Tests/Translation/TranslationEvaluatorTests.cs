using Translation;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Translation;

/// <summary>BLEU, sequence and token error rates against hand-computed values and the PyTorch reference's own functions.</summary>
public class TranslationEvaluatorTests
{
    private static string[] T(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void Metrics_match_the_reference_implementation()
    {
        (string Prediction, string[] References)[] items =
        [
            ("the cat sat on the mat .", ["the cat is on the mat .", "there is a cat on the mat ."]),
            ("a dog runs in the park", ["a dog is running in the park", "the dog runs in a park"]),
            ("i like green tea very much", ["i like green tea very much"]),
            ("he went home", ["he went home early today", "he has gone home"]),
            ("", ["nothing here"]),
            ("good morning to you all", ["good morning", "good morning to all of you"]),
            ("k ae t", ["k ae t", "k aa t"]),
            ("f ow n iy", ["f ow n", "f ow n iy k s"]),
        ];
        var metrics = TranslationEvaluator.Evaluate([.. items.Select(i => T(i.Prediction))], [.. items.Select(i => i.References.Select(T).ToArray())]);
        // tasks_torch.py on the same items: corpus_bleu 0.6173261505414576; 6 of 8 match no reference (wer 0.75);
        // per = 11 / 33 from min((edit_distance(h, r), len(r))) = (1,7) (2,6) (0,6) (2,4) (2,2) (3,2) (0,3) (1,3).
        Assert.Equal(0.6173261505414576, metrics.Bleu, 14);
        Assert.Equal(0.75, metrics.SequenceErrorRate);
        Assert.Equal(0.25, metrics.ExactMatch);
        Assert.Equal(1.0 / 3, metrics.TokenErrorRate, 14);
        Assert.Equal(8, metrics.Count);
    }

    [Theory]
    // tasks_torch.py's corpus_bleu, WER and PER of the same perturbed predictions on the same test splits:
    // g2p 3343 / 6167 words wrong, 11323 / 39039 phone edits; de-en 422 / 776 sentences wrong, 2079 / 6166 token edits.
    [InlineData("g2p", 0.7214214084848841, 0.5420788065509973, 0.29004329004329005)]
    [InlineData("de-en", 0.6994500448885795, 0.5438144329896907, 0.3371715861174181)]
    public void Metrics_on_a_shared_test_split_match_the_reference_implementation(string task, double bleu, double sequenceErrors, double tokenErrors)
    {
        var test = (task == "g2p" ? SequenceCorpora.Cmudict(TestData.Directory) : SequenceCorpora.GermanEnglish(TestData.Directory)).Test;
        // Item i predicts its last reference, or item i+1's first when i % 7 == 0; the last token dropped when
        // i % 3 == 0, reversed when i % 5 == 0: a mix of exact, near and wrong predictions with several references.
        var predictions = test.Select((item, i) =>
        {
            IEnumerable<string> h = i % 7 == 0 ? test[(i + 1) % test.Count].References[0] : item.References[^1];
            if (i % 3 == 0) h = h.SkipLast(1);
            if (i % 5 == 0) h = h.Reverse();
            return h.ToArray();
        }).ToArray();
        var metrics = TranslationEvaluator.Evaluate(predictions, [.. test.Select(item => item.References)]);
        Assert.Equal(test.Count, metrics.Count);
        Assert.Equal(bleu, metrics.Bleu, 14);
        Assert.Equal(sequenceErrors, metrics.SequenceErrorRate, 14);
        Assert.Equal(tokenErrors, metrics.TokenErrorRate, 14);
    }

    [Fact]
    public void Perfect_predictions_score_one_and_no_errors()
    {
        var metrics = TranslationEvaluator.Evaluate([T("a b c d e"), T("f g h i")], [[T("x"), T("a b c d e")], [T("f g h i")]]);
        Assert.Equal(new TranslationMetrics(2, 1, 1, 1, 1, 0, 0), metrics);
        Assert.Equal(1, metrics.ExactMatch);
    }

    [Fact]
    public void Token_error_rate_takes_the_closest_reference_and_the_shorter_on_ties()
    {
        // one substitution in three tokens
        Assert.Equal(1.0 / 3, TranslationEvaluator.Evaluate([T("a b c")], [[T("a b d")]]).TokenErrorRate, 14);
        // "a b" is 2 edits from both "a b c d" and "c d": the shorter counts, 2 / 2 (not 2 / 4)
        var tie = TranslationEvaluator.Evaluate([T("a b")], [[T("a b c d"), T("c d")]]);
        Assert.Equal(1.0, tie.TokenErrorRate);
        Assert.Equal(1.0, tie.SequenceErrorRate);
        // the closer reference wins over the shorter: 1 deletion from "a b c" (1 / 3), not 2 from "x" (2 / 1)
        Assert.Equal(1.0 / 3, TranslationEvaluator.Evaluate([T("a b")], [[T("x"), T("a b c")]]).TokenErrorRate, 14);
        // summed over items before dividing: (1 + 0) / (2 + 4)
        Assert.Equal(1.0 / 6, TranslationEvaluator.Evaluate([T("a"), T("w x y z")], [[T("a b")], [T("w x y z")]]).TokenErrorRate, 14);
    }

    [Fact]
    public void Bleu_counts_n_grams_of_whole_tokens_with_a_brevity_penalty()
    {
        // unigrams 1/3 ("x"); the bigram "a b"+"c" is not "a"+"b c" though both read "a b c" when joined by spaces
        var spaced = TranslationEvaluator.Evaluate([["x", "a b", "c"]], [[["x", "a", "b c"]]]);
        Assert.Equal(1.0 / 3, spaced.Bleu1, 14);
        Assert.Equal(0, spaced.Bleu2);
        // two tokens against a reference of four: p_1 = p_2 = 1, BP = exp(1 − 4/2)
        var brief = TranslationEvaluator.Evaluate([T("a b")], [[T("a b c d")]]);
        Assert.Equal(Math.Exp(-1), brief.Bleu1, 14);
        Assert.Equal(Math.Exp(-1), brief.Bleu2, 14);
        Assert.Equal(0, brief.Bleu3);
        // clipped: "the" ×4 matches at most the 2 of the reference
        Assert.Equal(0.5, TranslationEvaluator.Evaluate([T("the the the the")], [[T("the cat the dog")]]).Bleu1, 14);
    }

    [Fact]
    public void Bad_arguments_name_the_problem()
    {
        string[][] one = [T("a")];
        string[][][] oneRef = [[T("a")]];
        Assert.Throws<ArgumentNullException>(() => TranslationEvaluator.Evaluate(null!, oneRef));
        Assert.Throws<ArgumentNullException>(() => TranslationEvaluator.Evaluate(one, null!));
        Assert.Contains("no predictions", Assert.Throws<ArgumentException>(() => TranslationEvaluator.Evaluate([], [])).Message);
        Assert.Contains("1 predictions and 2 lists", Assert.Throws<ArgumentException>(() => TranslationEvaluator.Evaluate(one, [[T("a")], [T("b")]])).Message);
        Assert.Contains("Item 1 has no reference", Assert.Throws<ArgumentException>(() => TranslationEvaluator.Evaluate([T("a"), T("b")], [[T("a")], []])).Message);
        Assert.Contains("Item 0 has no reference", Assert.Throws<ArgumentException>(() => TranslationEvaluator.Evaluate(one, [null!])).Message);
        Assert.Contains("Prediction 0", Assert.Throws<ArgumentException>(() => TranslationEvaluator.Evaluate([null!], oneRef)).Message);
        Assert.Contains("Prediction 0", Assert.Throws<ArgumentException>(() => TranslationEvaluator.Evaluate([[null!]], oneRef)).Message);
        Assert.Contains("Reference 1 of item 0", Assert.Throws<ArgumentException>(() => TranslationEvaluator.Evaluate(one, [[T("a"), []]])).Message);
        Assert.Contains("Reference 0 of item 0", Assert.Throws<ArgumentException>(() => TranslationEvaluator.Evaluate(one, [[null!]])).Message);
        Assert.Contains("Reference 0 of item 0", Assert.Throws<ArgumentException>(() => TranslationEvaluator.Evaluate(one, [[["a", null!]]])).Message);
    }
}
