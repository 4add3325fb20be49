namespace Microsoft.ML.Recurrent.Evaluation;

/// <summary>Levenshtein distance between token sequences: the error count of token error rates (PER, WER).</summary>
internal static class EditDistance
{
    /// <summary>
    /// The fewest insertions, deletions and substitutions of one element that turn <paramref name="a"/> into
    /// <paramref name="b"/> (symmetric); one row of the dynamic programme over the shorter sequence.
    /// </summary>
    public static int Levenshtein<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b) where T : IEquatable<T>
    {
        if (a.Length < b.Length)
        {
            var longer = b;
            b = a;
            a = longer;
        }
        // row[j] is the distance from the prefix of a read so far to b[..j].
        Span<int> row = b.Length < 256 ? stackalloc int[b.Length + 1] : new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) row[j] = j;
        for (int i = 0; i < a.Length; i++)
        {
            int diagonal = row[0];
            row[0] = i + 1;
            for (int j = 0; j < b.Length; j++)
            {
                int substitute = diagonal + (a[i].Equals(b[j]) ? 0 : 1);
                diagonal = row[j + 1];
                row[j + 1] = Math.Min(substitute, Math.Min(row[j + 1], row[j]) + 1);
            }
        }
        return row[b.Length];
    }
}
