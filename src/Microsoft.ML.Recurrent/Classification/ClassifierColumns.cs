using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Classification;
using Microsoft.ML.Recurrent.Onnx;

namespace Microsoft.ML.Recurrent;

/// <summary>
/// Reads the training rows of a recurrent classifier out of an <see cref="IDataView"/>. Key sequences become token
/// ids equal to the key value (1-based; 0, a missing key, is the unknown token, which is also what an empty
/// sequence becomes). Float sequences must hold whole steps of finite values; an empty one becomes one step of
/// zeros. Binary labels are Boolean; multiclass labels are keys, and a missing key (0) is an error.
/// </summary>
internal static class ClassifierColumns
{
    /// <summary>The multiclass <c>PredictedLabel</c> column (a key over the label's names).</summary>
    public const string PredictedLabel = "PredictedLabel";

    /// <summary>What the feature column is: token keys (with the ONNX element type of their raw type) or float steps.</summary>
    public sealed record FeatureKind(bool Tokens, int Vocabulary, int StepWidth, ElementType KeyType);

    public static FeatureKind Describe(DataViewSchema schema, string featureColumn, int stepWidth)
    {
        var column = SchemaColumns.Find(schema, featureColumn);
        if (column.Type is VectorDataViewType { ItemType: KeyDataViewType key })
        {
            var type = key.RawType == typeof(uint) ? ElementType.UInt32 : key.RawType == typeof(ushort) ? ElementType.UInt16
                : throw new InvalidOperationException($"Column '{featureColumn}' holds keys of {key.RawType.Name}; the recurrent classifier reads UInt32 or UInt16 keys.");
            if (key.Count >= int.MaxValue) throw new InvalidOperationException($"Column '{featureColumn}' has {key.Count} keys: too many to embed.");
            return new FeatureKind(true, (int)key.Count + 1, 0, type);
        }
        if (column.Type is VectorDataViewType { ItemType: NumberDataViewType n } && n.RawType == typeof(float))
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stepWidth, nameof(RecurrentClassifierOptions.StepWidth));
            return new FeatureKind(false, 0, stepWidth, ElementType.Float);
        }
        throw new InvalidOperationException(
            $"Column '{featureColumn}' is {column.Type}; the recurrent classifier reads a vector of keys (tokens) or of Single (float steps).");
    }

    /// <summary>The classes: 2 for a Boolean label, the key count for a key label (with its names when they are text).</summary>
    public static string[] Classes(DataViewSchema schema, string labelColumn, bool binary)
    {
        var column = SchemaColumns.Find(schema, labelColumn);
        if (binary)
        {
            return column.Type == BooleanDataViewType.Instance ? ["False", "True"] : throw BinaryLabelError(labelColumn, column.Type);
        }
        var key = MulticlassLabel(labelColumn, column.Type);
        return SchemaColumns.KeyNames(column, (int)key.Count);
    }

    public static SequenceDataset Read(IDataView data, string featureColumn, string labelColumn, FeatureKind kind, bool binary, int classes)
    {
        var features = data.Schema[featureColumn];
        var label = data.Schema[labelColumn];
        var tokens = new List<int[]>();
        var floats = new List<float[]>();
        var labels = new List<int>();
        using var cursor = data.GetRowCursor([features, label]);
        var readFeatures = kind.Tokens ? TokenReader(cursor, features, kind.KeyType) : null;
        var floatGetter = kind.Tokens ? null : cursor.GetGetter<VBuffer<float>>(features);
        var boolGetter = binary ? cursor.GetGetter<bool>(label) : null;
        var keyGetter = binary ? null : cursor.GetGetter<uint>(label);
        VBuffer<float> floatBuffer = default;
        while (cursor.MoveNext())
        {
            long row = cursor.Position;
            if (binary)
            {
                bool value = false;
                boolGetter!(ref value);
                labels.Add(value ? 1 : 0);
            }
            else
            {
                uint value = 0;
                keyGetter!(ref value);
                if (value == 0 || value > classes)
                    throw new InvalidOperationException($"Row {row}: label key {value} is outside the label's key range 1..{classes} (0 is a missing label).");
                labels.Add((int)value - 1);
            }
            if (readFeatures != null)
            {
                int[] ids = readFeatures();
                tokens.Add(ids.Length == 0 ? [0] : ids);
            }
            else
            {
                floatGetter!(ref floatBuffer);
                var values = floatBuffer.DenseValues().ToArray();
                if (values.Length % kind.StepWidth != 0)
                    throw new InvalidOperationException($"Row {row}: {values.Length} values are not a whole number of steps of {kind.StepWidth}.");
                if (!values.All(float.IsFinite))
                    throw new InvalidOperationException($"Row {row}: the sequence in column '{featureColumn}' holds NaN or infinite values.");
                floats.Add(values.Length == 0 ? new float[kind.StepWidth] : values);
            }
        }
        return kind.Tokens
            ? SequenceDataset.FromTokens([.. tokens], kind.Vocabulary, [.. labels], classes)
            : SequenceDataset.FromFeatures([.. floats], kind.StepWidth, [.. labels], classes);
    }

    private static Func<int[]> TokenReader(DataViewRowCursor cursor, DataViewSchema.Column column, ElementType type)
    {
        if (type == ElementType.UInt16)
        {
            var getter = cursor.GetGetter<VBuffer<ushort>>(column);
            VBuffer<ushort> buffer = default;
            return () => { getter(ref buffer); return [.. buffer.DenseValues().Select(v => (int)v)]; };
        }
        var getter32 = cursor.GetGetter<VBuffer<uint>>(column);
        VBuffer<uint> buffer32 = default;
        return () => { getter32(ref buffer32); return [.. buffer32.DenseValues().Select(v => (int)v)]; };
    }

    /// <summary>
    /// <paramref name="input"/> plus the columns the fitted chain (<see cref="ClassifierChain"/>) adds, as the estimator
    /// declares them before training: the names, types and annotations the transformer's schema has. A schema shape
    /// carries no key counts or vector sizes, and its columns cannot be built outside ML.NET, so the shape comes from a
    /// probe of public estimators that is never fitted: a custom mapping declaring the score columns (binary: and the
    /// normalizer that marks Probability normalized, as in the chain), and for
    /// multiclass a concatenation giving <c>Score</c> slot names (as the graph's slot-name node gives the chain's) and
    /// a text <c>PredictedLabel</c> mapped to a key, which declares text key values as the chain's does.
    /// </summary>
    public static SchemaShape OutputSchema(SchemaShape input, SchemaShape.Column label, bool binary)
    {
        var ml = new MLContext(seed: 0);
        IEstimator<ITransformer> probe;
        if (binary)
        {
            if (label.Kind != SchemaShape.Column.VectorKind.Scalar || label.ItemType != BooleanDataViewType.Instance)
                throw BinaryLabelError(label.Name, label.ItemType);
            probe = ml.Transforms.CustomMapping<NoColumns, BinaryScoreMapping.Scores>((_, _) => { }, contractName: null)
                .Append(ml.Transforms.NormalizeMinMax(nameof(BinaryScoreMapping.Scores.Probability)));
        }
        else
        {
            if (label.Kind != SchemaShape.Column.VectorKind.Scalar || !label.IsKey || label.ItemType != NumberDataViewType.UInt32)
                throw new InvalidOperationException(MulticlassLabelMessage(label.Name, label.ItemType));
            probe = ml.Transforms.CustomMapping<NoColumns, MulticlassProbe>((_, _) => { }, contractName: null)
                .Append(ml.Transforms.Concatenate(ClassifierGraph.Score, MulticlassProbe.ScoreSlot))
                .Append(ml.Transforms.DropColumns(MulticlassProbe.ScoreSlot))
                .Append(ml.Transforms.Conversion.MapValueToKey(PredictedLabel));
        }
        return probe.GetOutputSchema(input);
    }

    private static InvalidOperationException BinaryLabelError(string labelColumn, DataViewType type)
        => new($"Label column '{labelColumn}' is {type}; binary classification needs a Boolean label.");

    private static string MulticlassLabelMessage(string labelColumn, DataViewType type)
        => $"Label column '{labelColumn}' is {type}; multiclass classification needs a UInt32 key label (MapValueToKey).";

    // The label's key type, checked: UInt32 keys with 2 to 2^20 classes.
    private static KeyDataViewType MulticlassLabel(string labelColumn, DataViewType type)
    {
        if (type is not KeyDataViewType key || key.RawType != typeof(uint)) throw new InvalidOperationException(MulticlassLabelMessage(labelColumn, type));
        if (key.Count < 2 || key.Count > 1 << 20) throw new InvalidOperationException($"Label column '{labelColumn}' has {key.Count} classes; between 2 and 2^20 are supported.");
        return key;
    }

    private sealed class NoColumns;

    // The multiclass outputs before the slot names and the key mapping: a concatenation of scalars has slot names.
    private sealed class MulticlassProbe
    {
        public const string ScoreSlot = "rnn_score_slot";

        [ColumnName(ScoreSlot)]
        public float Score { get; set; }

        public string PredictedLabel { get; set; } = "";
    }
}
