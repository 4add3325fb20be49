using System.Globalization;
using Microsoft.ML.Recurrent.Tagging;

namespace Microsoft.ML.Recurrent;

/// <summary>
/// Entity-level (chunk-level) scores as CoNLL's <c>conlleval</c> reports them: an entity is a span of tokens with
/// a type, read from B-/I-/E-/S-/O labels by conlleval's chunk rules, and a predicted entity is correct only when
/// a gold entity has exactly its start, end and type. Fractions in [0, 1] (conlleval prints percentages); a ratio
/// with nothing to divide by is 0, as in conlleval.
/// </summary>
public sealed class EntityMetrics
{
    private readonly MatchCounts _counts;

    internal EntityMetrics(string? type, MatchCounts counts, IReadOnlyList<EntityMetrics> perType)
    {
        Type = type;
        _counts = counts;
        PerType = perType;
    }

    /// <summary>The entity type (<c>PER</c> for <c>B-PER</c>), or null for the scores over all types.</summary>
    public string? Type { get; }

    /// <summary><see cref="CorrectCount"/> ÷ <see cref="PredictedCount"/>; 0 when nothing was predicted.</summary>
    public double Precision => _counts.Precision;

    /// <summary><see cref="CorrectCount"/> ÷ <see cref="GoldCount"/>; 0 when the gold labels have no entity.</summary>
    public double Recall => _counts.Recall;

    /// <summary>2 · precision · recall ÷ (precision + recall); 0 when both are 0.</summary>
    public double F1 => _counts.F1;

    /// <summary>Entities in the gold labels.</summary>
    public long GoldCount => _counts.Gold;

    /// <summary>Entities in the predicted labels.</summary>
    public long PredictedCount => _counts.Predicted;

    /// <summary>Predicted entities whose start, end and type match a gold entity.</summary>
    public long CorrectCount => _counts.Correct;

    /// <summary>
    /// The same scores for each type that occurs in the gold or the predicted labels, most gold entities first (then
    /// by type, ordinal); empty on a per-type entry.
    /// </summary>
    public IReadOnlyList<EntityMetrics> PerType { get; }

    /// <summary>The scores in one line, e.g. <c>entities: P 0.912 R 0.905 F1 0.908 (1,234 gold, 1,225 predicted, 1,118 correct)</c>.</summary>
    public override string ToString()
        => string.Create(CultureInfo.InvariantCulture,
            $"{Type ?? "entities"}: P {Precision:0.000} R {Recall:0.000} F1 {F1:0.000} ({GoldCount:N0} gold, {PredictedCount:N0} predicted, {CorrectCount:N0} correct)");
}
