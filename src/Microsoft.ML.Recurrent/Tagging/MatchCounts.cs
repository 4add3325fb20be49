namespace Microsoft.ML.Recurrent.Tagging;

/// <summary>
/// How many items (tokens of one label, or entity spans) were predicted, are in the gold standard, and agree;
/// the one place precision, recall and F1 are computed. As in conlleval, a ratio with nothing to divide by is 0.
/// </summary>
internal readonly record struct MatchCounts(long Correct, long Predicted, long Gold)
{
    public double Precision => Predicted == 0 ? 0 : (double)Correct / Predicted;

    public double Recall => Gold == 0 ? 0 : (double)Correct / Gold;

    public double F1 => Precision + Recall == 0 ? 0 : 2 * Precision * Recall / (Precision + Recall);

    public MatchCounts Add(MatchCounts other) => new(Correct + other.Correct, Predicted + other.Predicted, Gold + other.Gold);
}
