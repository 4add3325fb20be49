using Microsoft.ML.Recurrent.Numerics;

namespace Microsoft.ML.Recurrent.Training;

/// <summary>The one seeded shuffle of the codebase (validation splits, batch orders).</summary>
internal static class Shuffling
{
    /// <summary>Fisher–Yates from the end, one draw per position: the same generator state gives the same order.</summary>
    public static void Shuffle<T>(Span<T> items, RandomSource random)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = (int)(random.NextUInt() % (uint)(i + 1));
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
