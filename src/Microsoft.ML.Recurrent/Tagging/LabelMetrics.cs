using System.Globalization;
using Microsoft.ML.Recurrent.Tagging;

namespace Microsoft.ML.Recurrent;

/// <summary>
/// Token-level scores of one label: of the tokens predicted as the label, the share that are (precision); of the
/// tokens that are, the share predicted (recall); their harmonic mean (F1). A ratio with nothing to divide by is 0.
/// </summary>
public sealed class LabelMetrics
{
    private readonly MatchCounts _counts;

    internal LabelMetrics(string label, MatchCounts counts)
    {
        Label = label;
        _counts = counts;
    }

    /// <summary>The label.</summary>
    public string Label { get; }

    /// <summary>Correct predictions of the label ÷ <see cref="Predicted"/>; 0 when it was never predicted.</summary>
    public double Precision => _counts.Precision;

    /// <summary>Correct predictions of the label ÷ <see cref="Support"/>; 0 when it never occurs in the gold labels.</summary>
    public double Recall => _counts.Recall;

    /// <summary>2 · precision · recall ÷ (precision + recall); 0 when both are 0.</summary>
    public double F1 => _counts.F1;

    /// <summary>How many tokens carry the label in the gold standard.</summary>
    public long Support => _counts.Gold;

    /// <summary>How many tokens were predicted as the label.</summary>
    public long Predicted => _counts.Predicted;

    /// <summary>The label and its scores, e.g. <c>nn: P 0.951 R 0.962 F1 0.956 (support 1,234)</c>.</summary>
    public override string ToString()
        => string.Create(CultureInfo.InvariantCulture, $"{Label}: P {Precision:0.000} R {Recall:0.000} F1 {F1:0.000} (support {Support:N0})");
}
