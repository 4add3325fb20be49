using Microsoft.ML.Recurrent.Evaluation;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Core.Evaluation;

/// <summary>The one-row Levenshtein distance against the full-table definition.</summary>
public class EditDistanceTests
{
    [Theory]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("", "", 0)]
    [InlineData("", "abc", 3)]
    [InlineData("abc", "", 3)]
    [InlineData("flaw", "lawn", 2)]
    [InlineData("abc", "abc", 0)]
    [InlineData("ab", "ba", 2)]
    public void Known_distances(string a, string b, int expected)
        => Assert.Equal(expected, EditDistance.Levenshtein<char>(a, b));

    [Fact]
    public void Matches_the_full_table_on_random_sequences()
    {
        var random = new Random(7);
        for (int trial = 0; trial < 500; trial++)
        {
            // A small alphabet so that matches are common; the last trials are long enough (shorter side ≥ 256) for the heap row.
            int[] a = Sequence(random, trial < 490 ? random.Next(12) : 256 + random.Next(40));
            int[] b = Sequence(random, trial < 490 ? random.Next(12) : 256 + random.Next(40));
            int expected = FullTable(a, b);
            Assert.Equal(expected, EditDistance.Levenshtein<int>(a, b));
            Assert.Equal(expected, EditDistance.Levenshtein<int>(b, a));
        }
    }

    private static int[] Sequence(Random random, int length) => [.. Enumerable.Range(0, length).Select(_ => random.Next(4))];

    // The textbook (|a|+1)·(|b|+1) table: d[i, j] is the distance between a[..i] and b[..j].
    private static int FullTable(int[] a, int[] b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        return d[a.Length, b.Length];
    }
}
