using Microsoft.ML.Recurrent.Classification;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Classification;

/// <summary>
/// The naive Bayes n-gram evidence against a plain reference that counts n-grams as word tuples in dictionaries:
/// the table, the hash, the leave-one-out evidence, and the stacking fit.
/// </summary>
public sealed class NgramEvidenceTests
{
    private const int Vocabulary = 9, Classes = 3, Buckets = 1 << 20;
    private const double Alpha = 1.0;

    private static (int[][] Tokens, int[] Labels) Data()
    {
        var random = new Random(7);
        var tokens = Enumerable.Range(0, 60).Select(_ => Enumerable.Range(0, random.Next(1, 7)).Select(_ => random.Next(0, Vocabulary)).ToArray()).ToArray();
        return (tokens, [.. tokens.Select((t, i) => (t[0] + i) % Classes)]);
    }

    private static IEnumerable<string> Ngrams(int[] s, int length)
    {
        for (int n = 1; n <= length; n++)
            for (int t = 0; t + n <= s.Length; t++) yield return string.Join(",", s[t..(t + n)]);
    }

    // Σ over n-grams of centred log((α + n_c(g) − own_c(g)) / (α·F + T_c − own total_c)), the counts as word tuples.
    private static double[] Reference(int[][] tokens, int[] labels, int[] counted, int[] sequence, int leaveOut, int length)
    {
        var counts = new Dictionary<string, int[]>();
        var totals = new double[Classes];
        foreach (int r in counted)
            foreach (var g in Ngrams(tokens[r], length).Distinct())
            {
                if (!counts.TryGetValue(g, out var c)) counts[g] = c = new int[Classes];
                c[labels[r]]++;
                totals[labels[r]]++;
            }
        var own = leaveOut >= 0 ? Ngrams(sequence, length).Distinct().ToHashSet() : [];
        var s = new double[Classes];
        foreach (var g in Ngrams(sequence, length))
        {
            var logs = new double[Classes];
            for (int c = 0; c < Classes; c++)
            {
                bool mine = leaveOut >= 0 && c == leaveOut;
                double n = (counts.TryGetValue(g, out var k) ? k[c] : 0) - (mine && own.Contains(g) ? 1 : 0);
                logs[c] = Math.Log((Alpha + n) / (Alpha * counts.Count + totals[c] - (mine ? own.Count : 0)));
            }
            for (int c = 0; c < Classes; c++) s[c] += logs[c] - logs.Average();
        }
        return s;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Evidence_of_a_new_sequence_and_leave_one_out_evidence_match_counting_word_tuples(int length)
    {
        var (tokens, labels) = Data();
        int[] counted = [.. Enumerable.Range(0, 50)];
        var bag = new NgramBag(Vocabulary, length, Buckets, Classes);
        var counts = NgramCounts.Count(bag, tokens, labels, counted);
        counts.FillTable();
        var s = new float[Classes];
        for (int r = 50; r < 60; r++) // not counted: the table's evidence
        {
            bag.Evidence(tokens[r], [tokens[r].Length], s);
            var expected = Reference(tokens, labels, counted, tokens[r], -1, length);
            for (int c = 0; c < Classes; c++) Assert.Equal(expected[c], s[c], 4);
        }
        for (int r = 0; r < 10; r++) // counted: the evidence without the row's own counts
        {
            counts.LeaveOneOut(tokens[r], labels[r], s);
            var expected = Reference(tokens, labels, counted, tokens[r], labels[r], length);
            for (int c = 0; c < Classes; c++) Assert.Equal(expected[c], s[c], 4);
        }
    }

    [Fact]
    public void Longer_ngrams_hash_as_the_documented_polynomial_after_the_unigram_rows()
    {
        var bag = new NgramBag(Vocabulary, 3, 1000, Classes);
        int[] ids = [4, 7, 2];
        Assert.Equal(7, bag.Row(ids, 1, 1, 1));
        const long p = NgramBag.HashMultiplier;
        Assert.Equal(Vocabulary + (int)(((2 * p + 4) % 1000 * p + 7) % 1000), bag.Row(ids, 0, 1, 2));
        Assert.Equal(Vocabulary + (int)((((3 * p + 4) % 1000 * p + 7) % 1000 * p + 2) % 1000), bag.Row(ids, 0, 1, 3));
        // a leading unknown token does not make a trigram hash like the bigram after it
        Assert.NotEqual(bag.Row([0, 7, 2], 0, 1, 3), bag.Row([7, 2], 0, 1, 2));
        // time-major batches: the same n-gram read with a stride
        int[] batch = [4, 0, 7, 0, 2, 0];
        Assert.Equal(bag.Row(ids, 0, 1, 3), bag.Row(batch, 0, 2, 3));
    }

    [Fact]
    public void The_blend_recovers_the_weights_that_generated_the_labels()
    {
        // labels drawn from softmax(0.6·z + 1.5·s + c): the fit should find (0.6, 1.5) and the offsets' differences
        var random = new Random(3);
        const int n = 20000;
        float[] c = [0.2f, -0.3f, 0.1f];
        var z = new float[n * Classes];
        var s = new float[n * Classes];
        var labels = new int[n];
        for (int r = 0; r < n; r++)
        {
            var p = new double[Classes];
            for (int k = 0; k < Classes; k++)
            {
                z[r * Classes + k] = (float)(random.NextDouble() * 4 - 2);
                s[r * Classes + k] = (float)(random.NextDouble() * 2 - 1);
                p[k] = Math.Exp(0.6 * z[r * Classes + k] + 1.5 * s[r * Classes + k] + c[k]);
            }
            double u = random.NextDouble() * p.Sum();
            labels[r] = u < p[0] ? 0 : u < p[0] + p[1] ? 1 : 2;
        }
        var (a, beta, offsets) = EvidenceBlend.Fit(z, s, labels, Classes);
        Assert.InRange(a, 0.55, 0.65);
        Assert.InRange(beta, 1.4, 1.6);
        Assert.InRange(offsets[1] - offsets[0], -0.6, -0.4);
        Assert.InRange(offsets[2] - offsets[0], -0.2, 0.0);
    }

    [Fact]
    public void Class_weights_move_the_blends_offsets_towards_the_weighted_class()
    {
        var random = new Random(5);
        const int n = 2000;
        var z = new float[n * 2];
        var s = new float[n * 2];
        var labels = new int[n];
        for (int r = 0; r < n; r++)
        {
            labels[r] = random.NextDouble() < 0.1 ? 1 : 0;
            z[r * 2 + 1] = (float)(2 * random.NextDouble() - 1 + 0.5 * labels[r]); // overlapping classes: the fit stays finite
            s[r * 2 + 1] = (float)(random.NextDouble() - 0.5);
        }
        var plain = EvidenceBlend.Fit(z, s, labels, 2);
        var weighted = EvidenceBlend.Fit(z, s, labels, 2, [1.0, 9.0]);
        Assert.True(weighted.Offsets[1] - weighted.Offsets[0] > plain.Offsets[1] - plain.Offsets[0] + 1);
    }
}
