namespace Microsoft.ML.Recurrent;

/// <summary>
/// What a translator's validation keeps the best weights by (and what early stopping and the learning-rate decay on a
/// plateau wait on): the teacher-forced loss, or a metric of greedy translations of the validation sources.
/// </summary>
public enum TranslationValidationMetric
{
    /// <summary>The mean per-token cross-entropy of the references under teacher forcing: cheap, but it can rise
    /// (the model grows over-confident) while the translations still improve.</summary>
    Loss,
    /// <summary>Corpus BLEU-4 of the greedy translations (higher is better): the usual choice for sentences.</summary>
    Bleu,
    /// <summary>The share of sources whose greedy translation equals no reference (lower is better; WER for g2p).</summary>
    SequenceErrorRate,
    /// <summary>The token edit distance of the greedy translations to the closest reference, per reference token (lower is better; PER for g2p).</summary>
    TokenErrorRate,
}
