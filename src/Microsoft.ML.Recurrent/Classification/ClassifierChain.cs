using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Classification;

namespace Microsoft.ML.Recurrent;

/// <summary>
/// The ML.NET pipeline that carries a classifier graph (<see cref="ClassifierGraph"/>), made only of steps that
/// <c>mlContext.Model.Save</c> writes and <c>mlContext.Model.Load</c> reads back with no registration: copy the
/// sequence column to the graph's input; ML.NET's OnnxTransformer (the ONNX bytes go into the zip); then for
/// binary <see cref="BinaryScoreMapping"/> (Score, Probability, PredictedLabel) and an identity min-max normalizer that
/// marks Probability normalized (IsNormalized, as ML.NET's calibrated binary trainers mark it), for multiclass
/// <see cref="PredictedIndexMapping"/> and a value mapping of the predicted index to a key with the label's names
/// (PredictedLabel; the graph writes Score);
/// finally the temporary columns are dropped.
/// </summary>
internal static class ClassifierChain
{
    private const string PredictedName = "rnn_predicted_name";

    public static ITransformer Create(byte[] onnx, bool binary, string[] classes, string featureColumn, IDataView schemaSource)
    {
        var ml = new MLContext(seed: 0);
        var copy = ml.Transforms.CopyColumns(ClassifierGraph.Input, featureColumn);
        var shapes = InputShape(schemaSource.Schema[featureColumn].Type);
        // The overload with a shape dictionary is ambiguous without its last arguments; these are ML.NET's defaults.
        IEstimator<ITransformer> chain;
        if (binary)
        {
            chain = copy.Append(ml.Transforms.ApplyOnnxModel([ClassifierGraph.LogOdds], [ClassifierGraph.Input], new MemoryStream(onnx), shapes, gpuDeviceId: null, fallbackToCpu: false, recursionLimit: 100))
                .Append(ml.Transforms.CustomMapping(new BinaryScoreMapping().GetMapping(), BinaryScoreMapping.ContractName))
                .Append(ml.Transforms.DropColumns(ClassifierGraph.Input, ClassifierGraph.LogOdds));
        }
        else
        {
            // index → class name → key over exactly the label's names (MapValue's own key option counts keys differently
            // from its key-value annotation, which MapKeyToValue rejects).
            var names = classes.Select((name, i) => new KeyValuePair<uint, string>((uint)i, name));
            var keyData = ml.Data.LoadFromEnumerable(classes.Select(name => new ClassName { Name = name }));
            chain = copy.Append(ml.Transforms.ApplyOnnxModel([ClassifierGraph.Score, ClassifierGraph.PredictedIndex], [ClassifierGraph.Input], new MemoryStream(onnx), shapes, gpuDeviceId: null, fallbackToCpu: false, recursionLimit: 100))
                .Append(ml.Transforms.CustomMapping(new PredictedIndexMapping().GetMapping(), PredictedIndexMapping.ContractName))
                .Append(ml.Transforms.Conversion.MapValue(PredictedName, names, PredictedIndexMapping.IndexColumn))
                .Append(ml.Transforms.Conversion.MapValueToKey(ClassifierColumns.PredictedLabel, PredictedName, keyData: keyData))
                .Append(ml.Transforms.DropColumns(ClassifierGraph.Input, ClassifierGraph.PredictedIndex, PredictedIndexMapping.IndexColumn, PredictedName));
        }
        // Nothing is learned: fitting binds the steps to the input schema.
        var fitted = chain.Fit(schemaSource);
        return binary ? fitted.Append(MarkNormalized(ml)) : fitted;
    }

    /// <summary>
    /// The graph's input is [1, values]. For a variable-length column OnnxTransformer takes the length of each row; for a
    /// column of known size (a fixed-size vector such as 28 × 28 pixels) it takes the size from the graph instead, where
    /// the symbolic dimension reads as 0, and every row then fails ("must match product of dimensions (0)"). Declaring
    /// the column's size as the shape fixes that, and is saved with the model. Null for a variable-length column.
    /// </summary>
    private static Dictionary<string, int[]>? InputShape(DataViewType column)
        => column is VectorDataViewType { IsKnownSize: true, Size: var size } ? new() { [ClassifierGraph.Input] = [1, size] } : null;

    /// <summary>
    /// A min-max normalizer of Probability fitted on 0 and 1: with its zero fixed its scale is exactly 1, so it
    /// multiplies by 1 (the values are unchanged, bit for bit) and adds IsNormalized, in a step ML.NET saves and loads.
    /// </summary>
    private static ITransformer MarkNormalized(MLContext ml)
        => ml.Transforms.NormalizeMinMax(nameof(BinaryScoreMapping.Scores.Probability))
            .Fit(ml.Data.LoadFromEnumerable(new[] { new ProbabilityRow { Probability = 0 }, new ProbabilityRow { Probability = 1 } }));

    private sealed class ProbabilityRow
    {
        public float Probability { get; set; }
    }

    private sealed class ClassName
    {
        public string Name { get; set; } = "";
    }
}
