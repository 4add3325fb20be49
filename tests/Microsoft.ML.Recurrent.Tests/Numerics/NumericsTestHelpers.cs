using Microsoft.ML.Recurrent.Numerics;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Numerics;

/// <summary>Inputs, instruction-set paths and comparisons shared by the kernel tests.</summary>
internal static class NumericsTestHelpers
{
    /// <summary>Every path the kernels have; on a CPU without one, the kernels fall back to a narrower one.</summary>
    public static readonly int[] Widths = [512, 256, 0];

    /// <summary>Lengths around the vector widths (8, 16) and the sum lanes (32).</summary>
    public static readonly int[] OddLengths = [1, 3, 7, 8, 15, 16, 17, 31, 32, 33, 65, 100, 129];

    /// <summary>Uniform floats in [lo, hi) from a fixed seed.</summary>
    public static float[] Random(int length, int seed, float lo = -1f, float hi = 1f)
    {
        var rng = new Random(seed);
        var x = new float[length];
        for (int i = 0; i < x.Length; i++)
            x[i] = lo + (hi - lo) * (float)rng.NextDouble();
        return x;
    }

    /// <summary>Runs action with the kernels limited to one thread and the given vector width.</summary>
    public static T WithWidth<T>(int width, Func<T> action)
    {
        using var scope = KernelSettings.Override(maxThreads: 1, maxVectorWidth: width);
        return action();
    }

    /// <summary>Asserts |actual − expected| ≤ atol + rtol·|expected| elementwise, naming the first failure.</summary>
    public static void Close(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double atol, double rtol, string what)
    {
        Assert.True(actual.Length >= expected.Length, $"{what}: {actual.Length} values, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            bool ok = double.IsNaN(e) ? double.IsNaN(a) : Math.Abs(a - e) <= atol + rtol * Math.Abs(e);
            Assert.True(ok, $"{what}: element {i} is {a:R}, expected {e:R} (atol {atol}, rtol {rtol})");
        }
    }

    /// <summary>Asserts the two arrays hold the same bits (any NaN matches any NaN).</summary>
    public static void SameBits(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i])
                || float.IsNaN(expected[i]) && float.IsNaN(actual[i]),
                $"{what}: element {i} is {actual[i]:R}, expected bit-identical {expected[i]:R}");
    }
}
