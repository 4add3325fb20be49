using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Classification;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.Recurrent;

/// <summary>
/// Turns the multiclass graph's predicted index, which OnnxTransformer returns as a one-slot vector (it has no
/// scalar outputs), into a scalar that ML.NET's value mapping can turn into the <c>PredictedLabel</c> key.
/// Stateless: saved as its contract name and found again on load with no registration.
/// </summary>
[CustomMappingFactoryAttribute(ContractName)]
internal sealed class PredictedIndexMapping : CustomMappingFactory<PredictedIndexMapping.Slot, PredictedIndexMapping.Index>
{
    public const string ContractName = "Microsoft.ML.Recurrent.PredictedClassIndex";
    public const string IndexColumn = "rnn_predicted_scalar";

    public override Action<Slot, Index> GetMapping() => static (src, dst) => dst.Value = src.Values[0];

    /// <summary>Input row: the graph's predicted index.</summary>
    internal sealed class Slot
    {
        [ColumnName(ClassifierGraph.PredictedIndex)]
        [VectorType(1)]
        public uint[] Values { get; set; } = [];
    }

    /// <summary>Output row: the same index as a scalar.</summary>
    internal sealed class Index
    {
        [ColumnName(IndexColumn)]
        public uint Value { get; set; }
    }
}
