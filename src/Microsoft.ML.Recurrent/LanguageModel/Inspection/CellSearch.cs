namespace Microsoft.ML.Recurrent;

/// <summary>A unit whose activation follows a text feature, and how closely (Pearson correlation over the steps).</summary>
/// <param name="Feature">The feature's name.</param>
/// <param name="Kind">Which activation of the unit.</param>
/// <param name="Layer">The layer (0 = the one reading the characters).</param>
/// <param name="Unit">The unit within the layer.</param>
/// <param name="Correlation">Pearson's r between the unit's trace and the feature, in [−1, 1].</param>
public sealed record CellCorrelation(string Feature, ActivationKind Kind, int Layer, int Unit, double Correlation);

/// <summary>
/// Finds the cells that track something: for each feature, every unit's trace (of the chosen activation kinds) is
/// correlated with the feature's values and the units are ranked by |r| — the automatic version of the search for
/// quote, bracket and line-length cells in "Visualizing and Understanding Recurrent Networks" (Karpathy, Johnson
/// and Fei-Fei, 2015).
/// </summary>
public static class CellSearch
{
    /// <summary>The <paramref name="top"/> units for each feature, strongest |r| first (features that never vary are left out).</summary>
    /// <param name="activations">What <see cref="CharLanguageModel.Inspect"/> recorded.</param>
    /// <param name="features">The features, each with one value per step (e.g. <see cref="TextFeature.Standard"/>).</param>
    /// <param name="top">Units kept per feature.</param>
    /// <param name="kinds">Activations searched (default: the hidden state, and the cell state of an LSTM).</param>
    /// <exception cref="ArgumentException">A feature's length differs from the number of steps, or a kind is not recorded.</exception>
    public static IReadOnlyList<CellCorrelation> Rank(LanguageModelActivations activations, IEnumerable<TextFeature> features, int top = 5,
        IEnumerable<ActivationKind>? kinds = null)
    {
        ArgumentNullException.ThrowIfNull(activations);
        ArgumentNullException.ThrowIfNull(features);
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        var searched = (kinds ?? activations.Kinds.Where(k => k is ActivationKind.Hidden or ActivationKind.Cell)).Distinct().ToArray();
        foreach (var kind in searched)
            if (!activations.Kinds.Contains(kind))
                throw new ArgumentException($"A {activations.Cell} model records no {kind} activations.", nameof(kinds));
        var featureList = features.ToArray();
        foreach (var f in featureList)
            if (f.Values.Length != activations.Steps)
                throw new ArgumentException($"The feature '{f.Name}' has {f.Values.Length} values for {activations.Steps} steps.", nameof(features));

        var traces = (from kind in searched
                      from layer in Enumerable.Range(0, activations.Layers)
                      from unit in Enumerable.Range(0, activations.HiddenSize)
                      select (kind, layer, unit, trace: activations.Trace(kind, layer, unit))).ToArray();
        var ranked = new List<CellCorrelation>();
        foreach (var feature in featureList)
        {
            if (!Varies(feature.Values)) continue;
            ranked.AddRange(traces
                .Select(c => new CellCorrelation(feature.Name, c.kind, c.layer, c.unit, Pearson(c.trace, feature.Values)))
                .Where(c => double.IsFinite(c.Correlation))
                .OrderByDescending(c => Math.Abs(c.Correlation)).ThenBy(c => c.Layer).ThenBy(c => c.Unit)
                .Take(top));
        }
        return ranked;
    }

    /// <summary>Pearson's correlation coefficient; NaN when either series is constant.</summary>
    public static double Pearson(ReadOnlySpan<float> x, ReadOnlySpan<double> y)
    {
        if (x.Length != y.Length) throw new ArgumentException($"The series have {x.Length} and {y.Length} values.", nameof(y));
        int n = x.Length;
        double mx = 0, my = 0;
        for (int i = 0; i < n; i++)
        {
            mx += x[i];
            my += y[i];
        }
        mx /= n;
        my /= n;
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < n; i++)
        {
            double dx = x[i] - mx, dy = y[i] - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        return sxx > 0 && syy > 0 ? sxy / Math.Sqrt(sxx * syy) : double.NaN;
    }

    private static bool Varies(double[] values) => values.Length > 1 && values.Any(v => v != values[0]);
}
