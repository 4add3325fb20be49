namespace Microsoft.ML.Recurrent.Tagging;

/// <summary>
/// Scores predicted labels against gold labels, sentence by sentence: token and sentence accuracy, accuracy on
/// tokens unseen in training, per-label precision/recall/F1, the confusion counts, and conlleval's entity scores
/// when every label is a chunk label (see <see cref="EntityChunks"/>).
/// </summary>
internal static class TaggingEvaluator
{
    /// <summary>
    /// The metrics of <paramref name="sentences"/>; <paramref name="seenInTraining"/> is asked about each token's
    /// lower-cased form (<see cref="string.ToLowerInvariant()"/>), so that "unseen" means what the metric says.
    /// </summary>
    /// <exception cref="ArgumentException">A sentence's three lists differ in length, hold a null (or empty)
    /// label or a null token, or there is no token at all; the message names the sentence (0-based).</exception>
    public static TaggingMetrics Evaluate(
        IEnumerable<(IReadOnlyList<string> Tokens, IReadOnlyList<string> Gold, IReadOnlyList<string> Predicted)> sentences,
        Func<string, bool> seenInTraining)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        ArgumentNullException.ThrowIfNull(seenInTraining);
        var labelIds = new Dictionary<string, int>(StringComparer.Ordinal);
        var pairCounts = new Dictionary<(int Gold, int Predicted), long>();
        var entityCounts = new Dictionary<string, MatchCounts>(StringComparer.Ordinal);
        bool chunkLabels = true;
        long tokens = 0, correct = 0, unseen = 0, unseenCorrect = 0, sentenceCount = 0, correctSentences = 0;
        foreach (var (words, gold, predicted) in sentences)
        {
            Validate(sentenceCount, words, gold, predicted);
            bool allCorrect = true;
            for (int i = 0; i < words.Count; i++)
            {
                bool right = gold[i] == predicted[i];
                var pair = (Id(labelIds, gold[i]), Id(labelIds, predicted[i]));
                pairCounts[pair] = pairCounts.GetValueOrDefault(pair) + 1;
                tokens++;
                if (right) correct++;
                allCorrect &= right;
                if (!seenInTraining(words[i].ToLowerInvariant()))
                {
                    unseen++;
                    if (right) unseenCorrect++;
                }
                chunkLabels &= EntityChunks.IsChunkLabel(gold[i]) && EntityChunks.IsChunkLabel(predicted[i]);
            }
            // Once one label is not a chunk label the entity scores are not reported, so counting stops.
            if (chunkLabels) CountEntities(entityCounts, gold, predicted);
            sentenceCount++;
            if (allCorrect) correctSentences++;
        }
        if (tokens == 0) throw new ArgumentException($"Nothing to evaluate: the {sentenceCount} sentences have no token.");

        var (perLabel, confusion) = LabelScores(labelIds, pairCounts);
        return new TaggingMetrics(tokens, correct, unseen, unseenCorrect, sentenceCount, correctSentences, perLabel, confusion,
            chunkLabels ? Entities(entityCounts) : null);
    }

    private static void Validate(long index, IReadOnlyList<string> words, IReadOnlyList<string> gold, IReadOnlyList<string> predicted)
    {
        if (words is null || gold is null || predicted is null)
            throw new ArgumentException($"Sentence {index}: its token, gold or predicted list is null.");
        if (gold.Count != words.Count || predicted.Count != words.Count)
            throw new ArgumentException(
                $"Sentence {index} has {words.Count} tokens, {gold.Count} gold labels and {predicted.Count} predicted labels; each token needs one of each.");
        for (int i = 0; i < words.Count; i++)
        {
            if (words[i] is null) throw new ArgumentException($"Sentence {index}: token {i} is null.");
            if (string.IsNullOrEmpty(gold[i])) throw new ArgumentException($"Sentence {index}: the gold label of token {i} is null or empty.");
            if (string.IsNullOrEmpty(predicted[i])) throw new ArgumentException($"Sentence {index}: the predicted label of token {i} is null or empty.");
        }
    }

    private static int Id(Dictionary<string, int> ids, string label)
    {
        if (!ids.TryGetValue(label, out int id)) ids.Add(label, id = ids.Count);
        return id;
    }

    private static void CountEntities(Dictionary<string, MatchCounts> counts, IReadOnlyList<string> gold, IReadOnlyList<string> predicted)
    {
        var goldSpans = EntityChunks.Spans(gold);
        var predictedSpans = EntityChunks.Spans(predicted);
        var goldSet = goldSpans.ToHashSet();
        foreach (var span in goldSpans) Increment(counts, span.Type, new MatchCounts(0, 0, 1));
        foreach (var span in predictedSpans) Increment(counts, span.Type, new MatchCounts(goldSet.Contains(span) ? 1 : 0, 1, 0));
    }

    private static void Increment(Dictionary<string, MatchCounts> counts, string type, MatchCounts by)
        => counts[type] = counts.GetValueOrDefault(type).Add(by);

    // Labels ordered by gold count, most first (then predicted count, then ordinal), and the confusion matrix in that order.
    private static (List<LabelMetrics> PerLabel, long[,] Confusion) LabelScores(Dictionary<string, int> labelIds, Dictionary<(int Gold, int Predicted), long> pairCounts)
    {
        var counts = new MatchCounts[labelIds.Count];
        foreach (var ((g, p), n) in pairCounts)
        {
            counts[g] = counts[g].Add(new MatchCounts(0, 0, n));
            counts[p] = counts[p].Add(new MatchCounts(g == p ? n : 0, n, 0));
        }
        var order = labelIds.OrderByDescending(kv => counts[kv.Value].Gold).ThenByDescending(kv => counts[kv.Value].Predicted)
            .ThenBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Value).ToArray();
        var position = new int[order.Length];
        for (int i = 0; i < order.Length; i++) position[order[i]] = i;
        var confusion = new long[order.Length, order.Length];
        foreach (var ((g, p), n) in pairCounts) confusion[position[g], position[p]] = n;
        var names = labelIds.OrderBy(kv => kv.Value).Select(kv => kv.Key).ToArray();
        return ([.. order.Select(id => new LabelMetrics(names[id], counts[id]))], confusion);
    }

    private static EntityMetrics Entities(Dictionary<string, MatchCounts> counts)
    {
        var perType = counts.OrderByDescending(kv => kv.Value.Gold).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => new EntityMetrics(kv.Key, kv.Value, [])).ToList();
        var total = counts.Values.Aggregate(default(MatchCounts), (sum, c) => sum.Add(c));
        return new EntityMetrics(null, total, perType);
    }
}
