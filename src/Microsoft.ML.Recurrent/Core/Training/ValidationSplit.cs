using Microsoft.ML.Recurrent.Numerics;

namespace Microsoft.ML.Recurrent.Training;

/// <summary>Which rows a task trains on and which it validates on.</summary>
internal static class ValidationSplit
{
    /// <summary>
    /// With a validation set of its own (<paramref name="validationCount"/> rows), every one of the
    /// <paramref name="count"/> training rows trains; otherwise a shuffled <paramref name="fraction"/> of them is held
    /// out to validate on (drawn from <paramref name="random"/>).
    /// </summary>
    public static (int[] Training, int[] Validation) Of(int count, int? validationCount, double fraction, RandomSource random)
    {
        var order = Enumerable.Range(0, count).ToArray();
        if (validationCount is int given) return (order, [.. Enumerable.Range(0, given)]);
        Shuffling.Shuffle(order.AsSpan(), random);
        int held = (int)(count * fraction);
        return (order[held..], order[..held]);
    }
}
