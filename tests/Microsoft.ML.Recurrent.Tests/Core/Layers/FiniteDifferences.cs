using Microsoft.ML.Recurrent.Layers;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Layers;

/// <summary>
/// Central differences with ε = 1e-2 against backpropagation, shared by the gradient checks. A gradient passes
/// when |analytic − numeric| ≤ 2e-3 + 2e-2·max(|analytic|, |numeric|); a wrong gradient (a dropped term, a swapped
/// gate) is off by far more than that.
/// </summary>
internal static class FiniteDifferences
{
    public const float Epsilon = 1e-2f;

    /// <summary>Checks d loss / d values[i] against analytic[i] for every i; returns how many were checked.</summary>
    public static int AssertMatches(float[] values, ReadOnlySpan<float> analytic, Func<double> loss, Func<int, string> name)
    {
        for (int i = 0; i < values.Length; i++)
        {
            float saved = values[i];
            values[i] = saved + Epsilon;
            double plus = loss();
            values[i] = saved - Epsilon;
            double minus = loss();
            values[i] = saved;
            AssertClose(analytic[i], (plus - minus) / (2 * Epsilon), name(i));
        }
        return values.Length;
    }

    /// <summary>Checks every parameter of <paramref name="store"/> against <paramref name="analytic"/> (in the store's layout).</summary>
    public static int AssertParameters(ParameterStore store, ReadOnlySpan<float> analytic, Func<double> loss)
    {
        var names = store.Parameters.SelectMany(p => Enumerable.Range(0, p.Length).Select(i => $"{p.Name}[{i}]")).ToArray();
        return AssertMatches(store.Values, analytic, loss, k => names[k]);
    }

    public static void AssertClose(double analytic, double numeric, string what)
    {
        double tolerance = 2e-3 + 2e-2 * Math.Max(Math.Abs(analytic), Math.Abs(numeric));
        Assert.True(Math.Abs(analytic - numeric) <= tolerance, $"{what}: analytic {analytic:G6} vs numeric {numeric:G6}");
    }
}
