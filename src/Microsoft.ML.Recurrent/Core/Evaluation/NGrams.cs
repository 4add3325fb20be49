namespace Microsoft.ML.Recurrent.Evaluation;

/// <summary>n-gram counts of a tokenised sentence; an n-gram is its words joined by a space.</summary>
internal static class NGrams
{
    public static Dictionary<string, int> Count(IReadOnlyList<string> words, int n)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i + n <= words.Count; i++)
        {
            string gram = string.Join(' ', words.Skip(i).Take(n));
            counts[gram] = counts.GetValueOrDefault(gram) + 1;
        }
        return counts;
    }
}
