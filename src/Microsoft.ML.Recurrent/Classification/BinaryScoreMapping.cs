using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Classification;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.Recurrent;

/// <summary>
/// The step of a saved binary classifier pipeline that is not built into ML.NET: OnnxTransformer returns the
/// graph's log-odds as a one-slot vector, while ML.NET's binary evaluator wants scalar <c>Score</c>,
/// <c>Probability</c> and <c>PredictedLabel</c> columns. Stateless, so ML.NET saves it as this contract name and
/// finds it again on load with no registration (as <see cref="JoinCharactersMapping"/>).
/// </summary>
[CustomMappingFactoryAttribute(ContractName)]
internal sealed class BinaryScoreMapping : CustomMappingFactory<BinaryScoreMapping.LogOdds, BinaryScoreMapping.Scores>
{
    public const string ContractName = "Microsoft.ML.Recurrent.BinaryClassifierScores";

    public override Action<LogOdds, Scores> GetMapping() => static (src, dst) =>
    {
        float z = src.Values[0];
        dst.Score = z;
        dst.Probability = 1f / (1f + MathF.Exp(-z));
        dst.PredictedLabel = z > 0;
    };

    /// <summary>Input row: the graph's log-odds.</summary>
    internal sealed class LogOdds
    {
        [ColumnName(ClassifierGraph.LogOdds)]
        [VectorType(1)]
        public float[] Values { get; set; } = [];
    }

    /// <summary>Output row: ML.NET's binary classification columns.</summary>
    internal sealed class Scores
    {
        public float Score { get; set; }
        public float Probability { get; set; }
        public bool PredictedLabel { get; set; }
    }
}
