using System.Globalization;
using System.Text;
using Microsoft.ML.Recurrent.Tagging;

namespace Microsoft.ML.Recurrent;

/// <summary>
/// How well predicted labels match gold labels over a set of tagged sentences: token accuracy (also on tokens
/// unseen in training), sentence accuracy, per-label precision/recall/F1, the confusion counts and, for B-/I-/E-/S-/O
/// labels, entity-level scores by CoNLL's conlleval definition. Immutable.
/// </summary>
public sealed class TaggingMetrics
{
    private readonly long[,] _confusion;
    private readonly Dictionary<string, int> _labelIndex;

    internal TaggingMetrics(long tokenCount, long correctTokens, long unseenTokenCount, long correctUnseenTokens,
        long sentenceCount, long correctSentences, IReadOnlyList<LabelMetrics> perLabel, long[,] confusion, EntityMetrics? entities)
    {
        TokenCount = tokenCount;
        TokenAccuracy = (double)correctTokens / tokenCount;
        UnseenTokenCount = unseenTokenCount;
        UnseenTokenAccuracy = unseenTokenCount == 0 ? double.NaN : (double)correctUnseenTokens / unseenTokenCount;
        SentenceCount = sentenceCount;
        SentenceAccuracy = (double)correctSentences / sentenceCount;
        PerLabel = perLabel;
        MacroF1 = perLabel.Average(l => l.F1);
        Labels = [.. perLabel.Select(l => l.Label)];
        _labelIndex = Labels.Select((label, i) => (label, i)).ToDictionary(p => p.label, p => p.i, StringComparer.Ordinal);
        _confusion = confusion;
        Entities = entities;
    }

    /// <summary>
    /// Scores labels from any tagger: <paramref name="predicted"/>[i] holds one label per token of
    /// <paramref name="gold"/>[i]. With <paramref name="training"/>, a token is unseen when its lower-cased form
    /// (<see cref="string.ToLowerInvariant()"/>) is the lower-cased form of no training token; without it no token
    /// counts as unseen.
    /// </summary>
    /// <param name="gold">The sentences with their correct labels.</param>
    /// <param name="predicted">The labels a tagger gave each sentence's tokens, in the same order.</param>
    /// <param name="training">The training sentences (only their tokens are read), or null.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The lists differ in length, a sentence's predicted labels differ in number
    /// from its tokens (the message names the sentence, 0-based), a label is null or empty, or there is no token.</exception>
    public static TaggingMetrics Compute(IReadOnlyList<TaggedSentence> gold, IReadOnlyList<IReadOnlyList<string>> predicted,
        IEnumerable<TaggedSentence>? training = null)
    {
        ArgumentNullException.ThrowIfNull(gold);
        ArgumentNullException.ThrowIfNull(predicted);
        if (gold.Count != predicted.Count)
            throw new ArgumentException($"Need one predicted label list per gold sentence: {gold.Count} sentences, {predicted.Count} lists.", nameof(predicted));
        for (int i = 0; i < gold.Count; i++)
            if (gold[i] is null) throw new ArgumentException($"Gold sentence {i} is null.", nameof(gold));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        if (training is not null)
            foreach (var sentence in training)
            {
                if (sentence is null) throw new ArgumentException("A training sentence is null.", nameof(training));
                foreach (var token in sentence.Tokens) seen.Add(token.ToLowerInvariant());
            }
        Func<string, bool> seenInTraining = training is null ? _ => true : seen.Contains;
        return TaggingEvaluator.Evaluate(gold.Select((s, i) => (s.Tokens, s.Labels, predicted[i])), seenInTraining);
    }

    /// <summary>How many tokens were scored.</summary>
    public long TokenCount { get; }

    /// <summary>The share of tokens whose predicted label is the gold label.</summary>
    public double TokenAccuracy { get; }

    /// <summary>How many tokens' lower-cased forms never occur in training.</summary>
    public long UnseenTokenCount { get; }

    /// <summary>Token accuracy on the tokens counted by <see cref="UnseenTokenCount"/>; NaN when there are none.</summary>
    public double UnseenTokenAccuracy { get; }

    /// <summary>How many sentences were scored (an empty sentence counts, and counts as right).</summary>
    public long SentenceCount { get; }

    /// <summary>The share of sentences with every token's label right.</summary>
    public double SentenceAccuracy { get; }

    /// <summary>
    /// Scores for every label that occurs in the gold or the predicted labels, most gold tokens first (then most
    /// predicted, then by label, ordinal).
    /// </summary>
    public IReadOnlyList<LabelMetrics> PerLabel { get; }

    /// <summary>
    /// The unweighted mean of <see cref="LabelMetrics.F1"/> over <see cref="PerLabel"/>, so a label only ever
    /// predicted (F1 0) lowers it, as in scikit-learn's macro average.
    /// </summary>
    public double MacroF1 { get; }

    /// <summary>The labels of <see cref="PerLabel"/>, in its order: the rows and columns of <see cref="Confusion"/>.</summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary>
    /// Entity-level scores (conlleval's definition), or null unless every gold and predicted label is <c>O</c> or
    /// starts with <c>B-</c>, <c>I-</c>, <c>E-</c> or <c>S-</c>.
    /// </summary>
    public EntityMetrics? Entities { get; }

    /// <summary>How many tokens with the gold label <paramref name="gold"/> were predicted as <paramref name="predicted"/>.</summary>
    /// <exception cref="ArgumentException">A label is not one of <see cref="Labels"/>.</exception>
    public long Confusion(string gold, string predicted) => _confusion[Index(gold, nameof(gold)), Index(predicted, nameof(predicted))];

    /// <summary>
    /// A text table of the <paramref name="top"/> most frequent confusions (gold label, predicted label, count, and
    /// the count's share of the gold label's tokens), most frequent first; one line says so when there is none.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="top"/> is below 1.</exception>
    public string ConfusionTable(int top = 10)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        var pairs = new List<(int Gold, int Predicted, long Count)>();
        for (int g = 0; g < Labels.Count; g++)
            for (int p = 0; p < Labels.Count; p++)
                if (g != p && _confusion[g, p] > 0) pairs.Add((g, p, _confusion[g, p]));
        if (pairs.Count == 0) return "No confusions: every token's predicted label is its gold label." + Environment.NewLine;
        var rows = new List<string[]> { new[] { "gold", "predicted", "count", "of gold" } };
        foreach (var (g, p, count) in pairs.OrderByDescending(x => x.Count).ThenBy(x => x.Gold).ThenBy(x => x.Predicted).Take(top))
            rows.Add([Labels[g], Labels[p], count.ToString("N0", CultureInfo.InvariantCulture),
                ((double)count / PerLabel[g].Support).ToString("0.0%", CultureInfo.InvariantCulture)]);
        var widths = Enumerable.Range(0, 4).Select(c => rows.Max(r => r[c].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var r in rows)
            text.Append(r[0].PadRight(widths[0])).Append("  ").Append(r[1].PadRight(widths[1])).Append("  ")
                .Append(r[2].PadLeft(widths[2])).Append("  ").Append(r[3].PadLeft(widths[3])).AppendLine();
        return text.ToString();
    }

    /// <summary>
    /// A one-line summary, e.g. <c>tokens 2,242: accuracy 96.12%, unseen 81.00% of 100; sentences 98: 45.92% all
    /// right; macro F1 0.812</c>, then the entity F1 when there are entity scores.
    /// </summary>
    public override string ToString()
    {
        var c = CultureInfo.InvariantCulture;
        string unseen = UnseenTokenCount == 0 ? "no unseen tokens" : string.Create(c, $"unseen {UnseenTokenAccuracy:0.00%} of {UnseenTokenCount:N0}");
        string entities = Entities is null ? "" : string.Create(c, $"; entity F1 {Entities.F1:0.000} (P {Entities.Precision:0.000}, R {Entities.Recall:0.000})");
        return string.Create(c, $"tokens {TokenCount:N0}: accuracy {TokenAccuracy:0.00%}, {unseen}; sentences {SentenceCount:N0}: {SentenceAccuracy:0.00%} all right; macro F1 {MacroF1:0.000}{entities}");
    }

    private int Index(string label, string parameter)
    {
        ArgumentNullException.ThrowIfNull(label, parameter);
        return _labelIndex.TryGetValue(label, out int i) ? i
            : throw new ArgumentException($"'{label}' is not one of the {Labels.Count} labels that occur in the gold or predicted labels.", parameter);
    }
}
