using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Onnx;
using Microsoft.ML.Recurrent.Training;

namespace Microsoft.ML.Recurrent;

/// <summary>
/// Reads the training rows of a recurrent classifier out of an <see cref="IDataView"/>. Key sequences become token
/// ids equal to the key value (1-based; 0, a missing key, is the unknown token, which is also what an empty
/// sequence becomes). Float sequences must hold whole steps of finite values; an empty one becomes one step of
/// zeros. Binary labels are Boolean; multiclass labels are keys, and a missing key (0) is an error.
/// </summary>
internal static class ClassifierColumns
{
    /// <summary>What the feature column is: token keys (with the ONNX element type of their raw type) or float steps.</summary>
    public sealed record FeatureKind(bool Tokens, int Vocabulary, int StepWidth, ElementType KeyType);

    public static FeatureKind Describe(DataViewSchema schema, string featureColumn, int stepWidth)
    {
        var column = Find(schema, featureColumn);
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
        var column = Find(schema, labelColumn);
        if (binary)
        {
            return column.Type == BooleanDataViewType.Instance ? ["False", "True"]
                : throw new InvalidOperationException($"Label column '{labelColumn}' is {column.Type}; binary classification needs a Boolean label.");
        }
        if (column.Type is not KeyDataViewType key || key.RawType != typeof(uint))
            throw new InvalidOperationException($"Label column '{labelColumn}' is {column.Type}; multiclass classification needs a UInt32 key label (MapValueToKey).");
        if (key.Count < 2 || key.Count > 1 << 20) throw new InvalidOperationException($"Label column '{labelColumn}' has {key.Count} classes; between 2 and 2^20 are supported.");
        var names = Enumerable.Range(1, (int)key.Count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        if (column.HasKeyValues() && column.Annotations.Schema["KeyValues"].Type is VectorDataViewType { ItemType: TextDataViewType })
        {
            VBuffer<ReadOnlyMemory<char>> values = default;
            column.GetKeyValues(ref values);
            var dense = values.DenseValues().Select(v => v.ToString()).ToArray();
            if (dense.Length == names.Length) names = dense;
        }
        return names;
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

    private static DataViewSchema.Column Find(DataViewSchema schema, string name)
        => schema.GetColumnOrNull(name) ?? throw new ArgumentOutOfRangeException(nameof(name), name, $"Column '{name}' was not found in the input.");
}
