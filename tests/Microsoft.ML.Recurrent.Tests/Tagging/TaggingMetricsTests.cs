using Microsoft.ML.Recurrent.Tagging;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Tagging;

/// <summary>Token, sentence, per-label, confusion and entity scores against values worked out by hand.</summary>
public class TaggingMetricsTests
{
    private static TaggedSentence S(string tokens, string labels) => new(tokens.Split(' '), labels.Split(' '));

    private static string[] L(string labels) => labels.Split(' ');

    // Three POS-tagged sentences; "cat", "sleeps" and "Dogs" are unseen ("The" and "A" are seen through "the" and "a").
    private static TaggingMetrics Pos() => TaggingMetrics.Compute(
        [S("The dog runs", "DT NN VBZ"), S("A cat sleeps", "DT NN VBZ"), S("Dogs run", "NNS VBP")],
        [L("DT NN NNS"), L("DT VB VBZ"), L("NNS VBP")],
        [S("the dog runs", "DT NN VBZ"), S("a run", "DT NN")]);

    [Fact]
    public void Token_unseen_and_sentence_accuracy()
    {
        var m = Pos();
        Assert.Equal(8, m.TokenCount);
        Assert.Equal(6.0 / 8, m.TokenAccuracy, 12);
        Assert.Equal(3, m.UnseenTokenCount);
        Assert.Equal(2.0 / 3, m.UnseenTokenAccuracy, 12); // cat → VB is wrong; sleeps and Dogs are right
        Assert.Equal(3, m.SentenceCount);
        Assert.Equal(1.0 / 3, m.SentenceAccuracy, 12);
        Assert.Null(m.Entities); // DT is not a chunk label
    }

    [Fact]
    public void Per_label_scores_macro_F1_and_their_order()
    {
        var m = Pos();
        // Ordered by gold count, then predicted count, then name; VB is only predicted (support 0).
        Assert.Equal(["DT", "NN", "VBZ", "NNS", "VBP", "VB"], m.Labels);
        Assert.Equal(m.Labels, m.PerLabel.Select(l => l.Label));
        var nn = m.PerLabel[1]; // 1 of 2 gold NN found, 1 predicted NN right
        Assert.Equal((1.0, 0.5, 2.0 / 3, 2L, 1L), (nn.Precision, nn.Recall, nn.F1, nn.Support, nn.Predicted));
        var nns = m.PerLabel[3]; // predicted twice, right once, the only gold NNS found
        Assert.Equal((0.5, 1.0, 2L, 1L), (nns.Precision, nns.Recall, nns.Predicted, nns.Support));
        Assert.Equal(2.0 / 3, nns.F1, 12);
        var vb = m.PerLabel[5];
        Assert.Equal((0.0, 0.0, 0.0, 0L, 1L), (vb.Precision, vb.Recall, vb.F1, vb.Support, vb.Predicted));
        // DT 1, NN 2/3, VBZ 2/3, NNS 2/3, VBP 1, VB 0
        Assert.Equal((1 + 2.0 / 3 * 3 + 1 + 0) / 6, m.MacroF1, 12);
    }

    [Fact]
    public void Confusion_counts_and_table()
    {
        var m = Pos();
        Assert.Equal(2, m.Confusion("DT", "DT"));
        Assert.Equal(1, m.Confusion("VBZ", "NNS"));
        Assert.Equal(1, m.Confusion("NN", "VB"));
        Assert.Equal(0, m.Confusion("NNS", "VBZ"));
        Assert.Equal(m.TokenCount, m.Labels.Sum(g => m.Labels.Sum(p => m.Confusion(g, p))));
        Assert.Throws<ArgumentException>(() => m.Confusion("JJ", "NN"));
        // Two confusions of one token each, in label order; each is half of its gold label's tokens.
        string[] expected =
        [
            "gold  predicted  count  of gold",
            "NN    VB             1    50.0%",
            "VBZ   NNS            1    50.0%",
        ];
        Assert.Equal(expected, m.ConfusionTable().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(expected[..2], m.ConfusionTable(top: 1).Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.ConfusionTable(0));
        Assert.StartsWith("tokens 8: accuracy 75.00%, unseen 66.67% of 3; sentences 3: 33.33% all right; macro F1 0.667", m.ToString());
    }

    [Fact]
    public void Entity_scores_need_exact_spans_and_types()
    {
        // gold PER[0,2) LOC[3,4) ORG[5,7); predicted PER[0,2) ORG[3,4) ORG[5,6): only PER matches.
        var m = TaggingMetrics.Compute(
            [S("a b c d e f g", "B-PER I-PER O B-LOC O B-ORG I-ORG")],
            [L("B-PER I-PER O B-ORG O B-ORG O")]);
        var e = m.Entities!;
        Assert.Null(e.Type);
        Assert.Equal((3L, 3L, 1L), (e.GoldCount, e.PredictedCount, e.CorrectCount));
        Assert.Equal((1.0 / 3, 1.0 / 3), (e.Precision, e.Recall));
        Assert.Equal(1.0 / 3, e.F1, 12);
        Assert.Equal(["LOC", "ORG", "PER"], e.PerType.Select(t => t.Type));
        Assert.Equal((1L, 0L, 0L, 0.0), (e.PerType[0].GoldCount, e.PerType[0].PredictedCount, e.PerType[0].CorrectCount, e.PerType[0].F1));
        Assert.Equal((1L, 2L, 0L, 0.0), (e.PerType[1].GoldCount, e.PerType[1].PredictedCount, e.PerType[1].CorrectCount, e.PerType[1].Precision));
        Assert.Equal((1.0, 1.0, 1.0), (e.PerType[2].Precision, e.PerType[2].Recall, e.PerType[2].F1));
        Assert.All(e.PerType, t => Assert.Empty(t.PerType));
        Assert.EndsWith("; entity F1 0.333 (P 0.333, R 0.333)", m.ToString());
        Assert.Equal("PER: P 1.000 R 1.000 F1 1.000 (1 gold, 1 predicted, 1 correct)", e.PerType[2].ToString());
        Assert.Equal("B-PER: P 1.000 R 1.000 F1 1.000 (support 1)", m.PerLabel.Single(l => l.Label == "B-PER").ToString());
        Assert.True(double.IsNaN(m.UnseenTokenAccuracy)); // no training set: nothing counts as unseen
        Assert.Equal(0, m.UnseenTokenCount);
    }

    [Fact]
    public void One_label_outside_the_chunk_scheme_means_no_entity_scores()
    {
        var m = TaggingMetrics.Compute([S("a b", "B-PER O"), S("c", "O")], [L("B-PER O"), L("X")]);
        Assert.Null(m.Entities);
        Assert.NotNull(TaggingMetrics.Compute([S("a b", "B-PER O")], [L("B-PER O")]).Entities);
    }

    [Fact]
    public void Three_conll_sentences_against_hand_counts()
    {
        const string gold = "John\tB-PER\nlives\tO\nin\tO\nNew\tB-LOC\nYork\tI-LOC\n.\tO\n\n"
            + "Acme\tB-ORG\nCorp\tI-ORG\nhired\tO\nMary\tB-PER\nSmith\tI-PER\n\n"
            + "Paris\tB-LOC\nis\tO\nnice\tO\n";
        var test = TaggedCorpus.ReadConll(new StringReader(gold));
        string[][] predicted = [L("B-PER O O B-LOC O O"), L("B-ORG I-ORG O B-PER I-PER"), L("B-PER O O")];
        var m = TaggingMetrics.Compute(test, predicted, [S("John lives in Paris", "B-PER O O B-LOC"), S("mary hired smith .", "B-PER O I-PER O")]);

        // Tokens: York (I-LOC → O) and Paris (B-LOC → B-PER) are wrong: 12 of 14; only sentence 2 is all right.
        Assert.Equal((14L, 12.0 / 14, 3L, 1.0 / 3), (m.TokenCount, m.TokenAccuracy, m.SentenceCount, m.SentenceAccuracy));
        // Unseen (lower-cased): new, york, acme, corp, is, nice; York is the one wrong.
        Assert.Equal((6L, 5.0 / 6), (m.UnseenTokenCount, m.UnseenTokenAccuracy));

        Assert.Equal(["O", "B-PER", "B-LOC", "B-ORG", "I-ORG", "I-PER", "I-LOC"], m.Labels);
        // O: 6 gold, 7 predicted (York), 6 right; B-PER: 2 gold, 3 predicted (Paris), 2 right; B-LOC: 2 gold, 1 predicted, right;
        // I-LOC: 1 gold, never predicted; B-ORG, I-ORG, I-PER: 1 each, right.
        double[] f1 = [12.0 / 13, 0.8, 2.0 / 3, 1, 1, 1, 0];
        Assert.Equal(f1, m.PerLabel.Select(l => Math.Round(l.F1, 12)), (a, b) => Math.Abs(a - b) < 1e-12);
        Assert.Equal(6.0 / 7, m.PerLabel[0].Precision, 12);
        Assert.Equal(f1.Average(), m.MacroF1, 12);
        Assert.Equal(1, m.Confusion("I-LOC", "O"));
        Assert.Equal(1, m.Confusion("B-LOC", "B-PER"));
        Assert.Equal(6, m.Confusion("O", "O"));

        // Entities: gold John, New York, Acme Corp, Mary Smith, Paris; predicted John, New, Acme Corp, Mary Smith, Paris/PER.
        var e = m.Entities!;
        Assert.Equal((5L, 5L, 3L, 0.6, 0.6), (e.GoldCount, e.PredictedCount, e.CorrectCount, e.Precision, e.Recall));
        Assert.Equal(0.6, e.F1, 12);
        Assert.Equal(["LOC", "PER", "ORG"], e.PerType.Select(t => t.Type));
        Assert.Equal((2L, 1L, 0L), (e.PerType[0].GoldCount, e.PerType[0].PredictedCount, e.PerType[0].CorrectCount));
        Assert.Equal((2L, 3L, 2L, 2.0 / 3, 1.0), (e.PerType[1].GoldCount, e.PerType[1].PredictedCount, e.PerType[1].CorrectCount,
            e.PerType[1].Precision, e.PerType[1].Recall));
        Assert.Equal(0.8, e.PerType[1].F1, 12);
        Assert.Equal(1.0, e.PerType[2].F1);
    }

    [Fact]
    public void Mismatched_lengths_name_the_sentence()
    {
        var lengths = Assert.Throws<ArgumentException>(() => TaggingMetrics.Compute([S("a b", "X Y"), S("c d", "X Y")], [L("X Y"), L("X")]));
        Assert.Contains("Sentence 1 has 2 tokens, 2 gold labels and 1 predicted labels", lengths.Message);
        var count = Assert.Throws<ArgumentException>(() => TaggingMetrics.Compute([S("a", "X")], [L("X"), L("Y")]));
        Assert.Contains("1 sentences, 2 lists", count.Message);
        var empty = Assert.Throws<ArgumentException>(() => TaggingMetrics.Compute([S("a", "X")], [["X", ""]]));
        Assert.Contains("Sentence 0 has 1 tokens", empty.Message);
        var blank = Assert.Throws<ArgumentException>(() => TaggingMetrics.Compute([S("a", "X")], [[""]]));
        Assert.Contains("Sentence 0: the predicted label of token 0 is null or empty", blank.Message);
        Assert.Throws<ArgumentNullException>(() => TaggingMetrics.Compute(null!, [L("X")]));
        var evaluator = Assert.Throws<ArgumentException>(() => TaggingEvaluator.Evaluate([(L("a b"), L("X"), L("X Y"))], _ => true));
        Assert.Contains("Sentence 0 has 2 tokens, 1 gold labels and 2 predicted labels", evaluator.Message);
    }

    [Fact]
    public void An_empty_sentence_counts_as_right_but_no_tokens_at_all_is_an_error()
    {
        var m = TaggingMetrics.Compute([S("a", "X"), new TaggedSentence([], [])], [L("Y"), []]);
        Assert.Equal((1L, 2L, 0.5, 0.0), (m.TokenCount, m.SentenceCount, m.SentenceAccuracy, m.TokenAccuracy));
        Assert.Throws<ArgumentException>(() => TaggingMetrics.Compute([new TaggedSentence([], [])], [[]]));
    }

    [Fact]
    public void The_evaluator_asks_about_lower_cased_tokens()
    {
        var asked = new List<string>();
        TaggingEvaluator.Evaluate([(L("The ÉTÉ"), L("X X"), L("X X"))], t => { asked.Add(t); return true; });
        Assert.Equal(["the", "été"], asked);
    }
}
