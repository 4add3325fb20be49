using Microsoft.ML.Recurrent.Numerics;

namespace Microsoft.ML.Recurrent.Training;

/// <summary>
/// Minibatches of similar-length sequences that are still random: shuffle the rows, sort each window of
/// <see cref="Window"/> batches by length, cut it into batches, shuffle the batches. Little padding, so little
/// wasted work, with every epoch's batches drawn from the seed.
/// </summary>
internal static class LengthBuckets
{
    /// <summary>Batches per window sorted by length.</summary>
    public const int Window = 50;

    /// <summary>The rows <paramref name="rows"/> cut into batches of up to <paramref name="batchSize"/>, in a random order.</summary>
    public static int[][] Batches(int[] rows, Func<int, int> length, int batchSize, RandomSource random)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        var order = (int[])rows.Clone();
        Shuffling.Shuffle(order.AsSpan(), random);
        var batches = new List<int[]>();
        int window = batchSize * Window;
        for (int w = 0; w < order.Length; w += window)
        {
            var sorted = order.AsSpan(w, Math.Min(window, order.Length - w)).ToArray().OrderBy(length).ToArray();
            for (int s = 0; s < sorted.Length; s += batchSize) batches.Add(sorted[s..Math.Min(s + batchSize, sorted.Length)]);
        }
        var shuffled = batches.ToArray();
        Shuffling.Shuffle(shuffled.AsSpan(), random);
        return shuffled;
    }
}
