namespace Microsoft.ML.Recurrent.Training;

/// <summary>
/// What one validation measured. Keep-best, early stopping and the learning-rate decay on a plateau compare
/// <see cref="Criterion"/>: the loss, unless the task selects on a metric of its own (a translator's BLEU).
/// </summary>
/// <param name="Loss">Mean validation loss per unit (finite, or training stops as diverged).</param>
/// <param name="Accuracy">An accuracy to report (a classifier's; a translator's next-token accuracy), or null.</param>
/// <param name="Selection">The metric the run selects on instead of the loss, or null.</param>
internal readonly record struct ValidationResult(double Loss, double? Accuracy = null, SelectionMetric? Selection = null)
{
    /// <summary>The figure compared between evaluations; lower is better.</summary>
    public double Criterion => Selection is { } s ? (s.HigherIsBetter ? -s.Value : s.Value) : Loss;

    /// <summary>What <see cref="Criterion"/> measures, for the log ("loss", "BLEU").</summary>
    public string CriterionName => Selection?.Name ?? "loss";
}

/// <summary>A validation metric a run selects its best weights by, e.g. ("BLEU", 4.2, higher is better).</summary>
internal readonly record struct SelectionMetric(string Name, double Value, bool HigherIsBetter);
