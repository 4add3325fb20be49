using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Numerics;
using Microsoft.ML.Recurrent.Tagging;
using Microsoft.ML.Recurrent.Tests.Layers;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Tagging;

/// <summary>
/// The CRF's loss, gradients and Viterbi path against finite differences and against brute-force enumeration of
/// every one of the Lᵀ label paths (scored in double), on time-major batches with padded sequences.
/// </summary>
public sealed class LinearChainCrfTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)] // one forbidden transition: the element-wise log-sum-exp instead of the matrix–vector product
    public void Gradients_of_emissions_transitions_start_and_end_match_finite_differences_with_padding(bool forbidden)
    {
        const int labels = 3, steps = 4, batch = 3;
        const float scale = 0.7f;
        int[] lengths = [4, 2, 1];
        var (store, crf) = Crf(labels, seed: 11, range: 0.8f, forbidden);
        var emissions = Uniform(new RandomSource(12), steps * batch * labels, 1.5f);
        var gold = Gold(new RandomSource(13), labels, steps, lengths);

        var dEmissions = Enumerable.Repeat(float.NaN, emissions.Length).ToArray(); // every row, padding included, must be written
        double loss = crf.ForwardBackward(emissions, gold, lengths, steps, batch, dEmissions, scale);
        Assert.Equal(crf.Loss(emissions, gold, lengths, steps, batch), loss, 10);
        var analytic = (float[])store.Gradients.Clone();
        double Scaled() => scale * crf.Loss(emissions, gold, lengths, steps, batch);

        // The shared tolerance (2e-3 + 2e-2·|g|) is far above this check's measured worst case, 1.0e-5 absolute and
        // 5.7e-5 relative, and far below what a dropped term costs (a missing start gradient is off by 0.92).
        // Padding rows get an exactly zero gradient, and finite differences (which read every row) agree they do not count.
        FiniteDifferences.AssertMatches(emissions, dEmissions, Scaled, i => $"emissions[row {i / labels}, label {i % labels}]");
        for (int b = 0; b < batch; b++)
            for (int t = lengths[b]; t < steps; t++)
                Assert.All(dEmissions.AsSpan((t * batch + b) * labels, labels).ToArray(), g => Assert.Equal(0f, g));
        Assert.Equal(store.Count, FiniteDifferences.AssertParameters(store, analytic, Scaled));
        foreach (var p in new[] { crf.Transitions, crf.Start, crf.End }) // the check is not vacuous for any of them
            Assert.Contains(analytic.AsSpan(p.Offset, p.Length).ToArray(), g => Math.Abs(g) > 1e-2);
    }

    [Theory]
    [InlineData(1, 3, 1f, false)]
    [InlineData(3, 5, 1f, false)]
    [InlineData(4, 4, 2f, false)]
    [InlineData(4, 6, 50f, false)] // magnitude-50 emissions: exp(score) alone would overflow float (and double) many times over
    [InlineData(3, 5, 100f, false)] // and here even one step's exp(emission) would overflow float
    [InlineData(4, 4, 2f, true)]
    [InlineData(3, 5, 100f, true)]
    public void Log_partition_marginals_and_best_path_match_brute_force_enumeration(int labels, int steps, float magnitude, bool forbidden)
    {
        int[] lengths = [steps, 1, Math.Max(1, steps - 2)];
        int batch = lengths.Length;
        var (store, crf) = Crf(labels, seed: 21, range: Math.Min(magnitude, 5f), forbidden);
        var emissions = Uniform(new RandomSource(22), steps * batch * labels, magnitude);
        var gold = Gold(new RandomSource(23), labels, steps, lengths);
        var dEmissions = new float[emissions.Length];
        double loss = crf.ForwardBackward(emissions, gold, lengths, steps, batch, dEmissions, 1f);
        var best = new int[steps * batch];
        crf.Viterbi(emissions, lengths, steps, batch, best);

        double expectedLoss = 0;
        var expectedTransitions = new double[labels * labels];
        for (int b = 0; b < batch; b++)
        {
            var brute = BruteForce.Of(crf, emissions, gold, lengths[b], b, batch);
            expectedLoss += brute.LogZ - brute.GoldScore;
            for (int i = 0; i < expectedTransitions.Length; i++) expectedTransitions[i] += brute.Transitions[i];
            for (int t = 0; t < steps; t++)
            {
                Assert.Equal(t < lengths[b] ? brute.Best[t] : -1, best[t * batch + b]);
                if (t >= lengths[b]) continue;
                var marginal = dEmissions.AsSpan((t * batch + b) * labels, labels).ToArray();
                marginal[gold[t * batch + b]] += 1f;
                for (int y = 0; y < labels; y++) Assert.Equal(brute.Marginals[t * labels + y], marginal[y], 1e-6);
            }
        }
        // Measured worst cases over these cases: loss 5.0e-6 (at a loss of 580), marginals 3.8e-7, transition gradients 4.0e-6.
        Assert.True(Math.Abs(loss - expectedLoss) <= 1e-5 + 2e-8 * Math.Abs(expectedLoss), $"loss {loss} vs brute force {expectedLoss}");
        for (int i = 0; i < expectedTransitions.Length; i++)
            Assert.Equal(expectedTransitions[i], crf.Transitions.Gradient[i], 1e-5);
        Assert.All(store.Gradients, g => Assert.True(float.IsFinite(g)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Every_sequence_loss_is_nonnegative_and_every_marginal_row_sums_to_one(int seed)
    {
        const int labels = 6, steps = 7;
        var (_, crf) = Crf(labels, seed, range: 2f);
        var random = new RandomSource(seed + 100);
        for (int length = 1; length <= steps; length++)
        {
            var emissions = Uniform(random, steps * labels, 4f);
            var gold = Gold(random, labels, steps, [length]);
            var dEmissions = new float[emissions.Length];
            double loss = crf.ForwardBackward(emissions, gold, [length], steps, 1, dEmissions, 1f);
            Assert.True(loss >= 0, $"length {length}: NLL {loss} is negative");
            for (int t = 0; t < length; t++)
            {
                var row = dEmissions.AsSpan(t * labels, labels).ToArray();
                row[gold[t]] += 1f;
                Assert.All(row, p => Assert.InRange(p, 0f, 1f + 1e-6f));
                Assert.Equal(1.0, row.Sum(p => (double)p), 1e-5);
            }
        }
    }

    [Fact]
    public void Viterbi_breaks_ties_by_the_lowest_label_and_marks_padding_with_minus_one()
    {
        const int labels = 3, steps = 4;
        var (store, crf) = Crf(labels, seed: 1, range: 0f);
        Array.Clear(store.Values); // every path scores +0 (a zero range can draw −0)
        int[] lengths = [4, 2];
        var emissions = new float[steps * lengths.Length * labels];
        var best = new int[steps * lengths.Length];
        crf.Viterbi(emissions, lengths, steps, lengths.Length, best);
        Assert.Equal([0, 0, 0, 0, 0, -1, 0, -1], best);

        // labels 1 and 2 tie for the best last label; everything else is neutral
        emissions[(3 * lengths.Length) * labels + 1] = emissions[(3 * lengths.Length) * labels + 2] = 1f;
        crf.Viterbi(emissions, lengths, steps, lengths.Length, best);
        Assert.Equal([0, 0, 0, 0, 0, -1, 1, -1], best);
    }

    [Fact]
    public void Bad_inputs_throw_errors_that_name_the_problem_before_any_gradient_is_touched()
    {
        const int labels = 3, steps = 2, batch = 2;
        var (store, crf) = Crf(labels, seed: 5, range: 1f);
        var emissions = new float[steps * batch * labels];
        var dEmissions = new float[emissions.Length];
        var best = new int[steps * batch];
        void Throws<T>(string fragment, Action action) where T : ArgumentException
            => Assert.Contains(fragment, Assert.Throws<T>(action).Message);

        // sequence 1 has one step, so its step-1 row (index 3) is padding and may hold anything
        Throws<ArgumentOutOfRangeException>("gold label of sequence 1 at step 0 is 3; labels must lie in [0, 3)",
            () => crf.ForwardBackward(emissions, [0, 3, 1, 99], [2, 1], steps, batch, dEmissions, 1f));
        Throws<ArgumentOutOfRangeException>("gold label of sequence 0 at step 1 is -1",
            () => crf.Loss(emissions, [0, 1, -1, 99], [2, 1], steps, batch));
        Throws<ArgumentOutOfRangeException>("Sequence 1 has length 0; lengths must lie in [1, 2]",
            () => crf.ForwardBackward(emissions, [0, 0, 0, 0], [2, 0], steps, batch, dEmissions, 1f));
        Throws<ArgumentOutOfRangeException>("Sequence 0 has length 3",
            () => crf.Viterbi(emissions, [3, 1], steps, batch, best));
        Throws<ArgumentException>("emissions holds 11 floats",
            () => crf.ForwardBackward(emissions.AsSpan(1), [0, 0, 0, 0], [2, 2], steps, batch, dEmissions, 1f));
        Throws<ArgumentException>("dEmissions holds 11 floats",
            () => crf.ForwardBackward(emissions, [0, 0, 0, 0], [2, 2], steps, batch, dEmissions.AsSpan(1), 1f));
        Throws<ArgumentException>("labels holds 3 values",
            () => crf.ForwardBackward(emissions, [0, 0, 0], [2, 2], steps, batch, dEmissions, 1f));
        Throws<ArgumentException>("lengths holds 1 values",
            () => crf.Viterbi(emissions, [2], steps, batch, best));
        Throws<ArgumentException>("best holds 3 labels",
            () => crf.Viterbi(emissions, [2, 2], steps, batch, best.AsSpan(1)));
        Throws<ArgumentOutOfRangeException>("must not be negative",
            () => crf.Viterbi(emissions, [], -1, 0, best));
        Throws<ArgumentOutOfRangeException>("at least one label", () => new LinearChainCrf(new ParameterStore(), 0));
        Assert.All(store.Gradients, g => Assert.Equal(0f, g));
    }

    /// <summary>
    /// A sealed store holding only a CRF, its parameters uniform in ±<paramref name="range"/>; with
    /// <paramref name="forbidden"/>, the transition 1 → 0 scores −100, a hard constraint wider than the matrix–vector
    /// recursion takes.
    /// </summary>
    internal static (ParameterStore Store, LinearChainCrf Crf) Crf(int labels, int seed, float range, bool forbidden = false)
    {
        var store = new ParameterStore();
        var crf = new LinearChainCrf(store, labels);
        store.Seal();
        Uniform(new RandomSource(seed), store.Count, range).CopyTo(store.Values, 0);
        if (forbidden)
        {
            crf.Transitions.Value[labels] = -100f;
            Assert.True(crf.Transitions.Value.ToArray().Max() + 100f > LinearChainCrf.ProductSpread);
        }
        return (store, crf);
    }

    internal static float[] Uniform(RandomSource random, int count, float range)
        => [.. Enumerable.Range(0, count).Select(_ => range * (2 * random.NextFloat() - 1))];

    // Gold labels [T·B] (time-major) for the given lengths; padding rows hold out-of-range values, which must be ignored.
    private static int[] Gold(RandomSource random, int labels, int steps, int[] lengths)
    {
        var gold = new int[steps * lengths.Length];
        for (int t = 0; t < steps; t++)
            for (int b = 0; b < lengths.Length; b++)
                gold[t * lengths.Length + b] = t < lengths[b] ? (int)(random.NextUInt() % labels) : (t % 2 == 0 ? -1 : labels);
        return gold;
    }

    /// <summary>Every label path of one sequence of a batch, scored in double.</summary>
    private sealed record BruteForce(double LogZ, double GoldScore, int[] Best, double[] Marginals, double[] Transitions)
    {
        // Transitions: the expected transition counts minus the gold path's (the NLL's gradient).
        public static BruteForce Of(LinearChainCrf crf, float[] emissions, int[] gold, int n, int b, int batch)
        {
            int l = crf.Labels;
            var paths = new List<(int[] Path, double Score)>();
            var path = new int[n];
            for (long code = 0; code < (long)Math.Pow(l, n); code++)
            {
                long rest = code;
                for (int t = 0; t < n; t++, rest /= l) path[t] = (int)(rest % l);
                paths.Add(([.. path], Score(crf, emissions, path, b, batch)));
            }
            double max = paths.Max(p => p.Score);
            double logZ = max + Math.Log(paths.Sum(p => Math.Exp(p.Score - max)));
            var marginals = new double[n * l];
            var transitions = new double[l * l];
            foreach (var (p, score) in paths)
            {
                double probability = Math.Exp(score - logZ);
                for (int t = 0; t < n; t++) marginals[t * l + p[t]] += probability;
                for (int t = 1; t < n; t++) transitions[p[t - 1] * l + p[t]] += probability;
            }
            int[] goldPath = [.. Enumerable.Range(0, n).Select(t => gold[t * batch + b])];
            for (int t = 1; t < n; t++) transitions[goldPath[t - 1] * l + goldPath[t]] -= 1;
            var best = paths.First(p => p.Score == max).Path; // random scores do not tie
            return new BruteForce(logZ, Score(crf, emissions, goldPath, b, batch), best, marginals, transitions);
        }

        private static double Score(LinearChainCrf crf, float[] emissions, int[] path, int b, int batch)
        {
            int l = crf.Labels, n = path.Length;
            double score = crf.Start.Value[path[0]] + crf.End.Value[path[n - 1]];
            for (int t = 0; t < n; t++)
            {
                score += emissions[(t * batch + b) * l + path[t]];
                if (t > 0) score += crf.Transitions.Value[path[t - 1] * l + path[t]];
            }
            return score;
        }
    }
}
