using Microsoft.ML.Data;

namespace Microsoft.ML.Recurrent.Tagging;

/// <summary>
/// Reads a tagger's training rows out of an <see cref="IDataView"/> and declares the columns its chain adds. The
/// tokens are a vector of text (e.g. <c>TokenizeIntoWords</c>), so that a word never seen in training keeps its
/// spelling for the character features; the labels are a vector of UInt32 keys of the same length, one per token.
/// </summary>
internal static class TaggerColumns
{
    /// <summary>The predicted labels: a vector of keys over the label column's key values.</summary>
    public const string PredictedLabels = "PredictedLabels";

    /// <summary>The names of the label column's keys in key order (their text key values, else "1", "2", …).</summary>
    public static string[] LabelNames(DataViewSchema schema, string labelColumn)
    {
        var column = SchemaColumns.Find(schema, labelColumn);
        if (column.Type is not VectorDataViewType { ItemType: KeyDataViewType key } || key.RawType != typeof(uint))
            throw new InvalidOperationException(LabelMessage(labelColumn, column.Type));
        if (key.Count < 2 || key.Count > 1 << 16) throw new InvalidOperationException($"Label column '{labelColumn}' has {key.Count} labels; between 2 and 65536 are supported.");
        return SchemaColumns.KeyNames(column, (int)key.Count);
    }

    /// <summary>Checks that the token column is a vector of text, or of floats when <paramref name="stepWidth"/> is set.</summary>
    public static void CheckTokens(DataViewSchema schema, string tokenColumn, int stepWidth)
    {
        var type = SchemaColumns.Find(schema, tokenColumn).Type;
        bool ok = stepWidth > 0 ? type is VectorDataViewType { ItemType: NumberDataViewType n } && n == NumberDataViewType.Single
            : type is VectorDataViewType { ItemType: TextDataViewType };
        if (!ok) throw new InvalidOperationException(TokenMessage(tokenColumn, type, stepWidth));
    }

    /// <summary>
    /// The training sequences of a float token column: each row's values (whole steps of <paramref name="stepWidth"/>
    /// finite values) and its labels' names, one per step. A row with no values is skipped; a row whose label vector has
    /// another length than its steps, a partial step, a NaN or infinite value or a missing key is an error naming the row.
    /// </summary>
    public static (List<float[]> Steps, List<IReadOnlyList<string>> Labels) ReadSteps(IDataView data, string tokenColumn, string labelColumn,
        int stepWidth, string[] labelNames)
    {
        var values = data.Schema[tokenColumn];
        var label = data.Schema[labelColumn];
        var steps = new List<float[]>();
        var labels = new List<IReadOnlyList<string>>();
        using var cursor = data.GetRowCursor([values, label]);
        var valueGetter = cursor.GetGetter<VBuffer<float>>(values);
        var labelGetter = cursor.GetGetter<VBuffer<uint>>(label);
        VBuffer<float> buffer = default;
        VBuffer<uint> keys = default;
        while (cursor.MoveNext())
        {
            valueGetter(ref buffer);
            labelGetter(ref keys);
            long row = cursor.Position;
            if (buffer.Length % stepWidth != 0)
                throw new InvalidOperationException($"Row {row}: {buffer.Length} values are not whole steps of {stepWidth}.");
            if (keys.Length != buffer.Length / stepWidth)
                throw new InvalidOperationException($"Row {row}: {buffer.Length / stepWidth} steps but {keys.Length} labels; the label column needs one label per step.");
            if (buffer.Length == 0) continue;
            var dense = buffer.DenseValues().ToArray();
            int bad = Array.FindIndex(dense, v => !float.IsFinite(v));
            if (bad >= 0) throw new InvalidOperationException($"Row {row}: value {bad} is {dense[bad]}; float steps must be finite.");
            steps.Add(dense);
            labels.Add(Names(keys, labelNames, row));
        }
        return (steps, labels);
    }

    /// <summary>
    /// The training sentences, each token with the name of its label's key. A row with no tokens is skipped (it has
    /// nothing to learn); a row whose label vector has another length, or holds a missing key (0), is an error.
    /// </summary>
    public static List<TaggedSentence> Read(IDataView data, string tokenColumn, string labelColumn, string[] labelNames)
    {
        var tokens = data.Schema[tokenColumn];
        var label = data.Schema[labelColumn];
        var sentences = new List<TaggedSentence>();
        using var cursor = data.GetRowCursor([tokens, label]);
        var tokenGetter = cursor.GetGetter<VBuffer<ReadOnlyMemory<char>>>(tokens);
        var labelGetter = cursor.GetGetter<VBuffer<uint>>(label);
        VBuffer<ReadOnlyMemory<char>> words = default;
        VBuffer<uint> keys = default;
        while (cursor.MoveNext())
        {
            tokenGetter(ref words);
            labelGetter(ref keys);
            long row = cursor.Position;
            if (keys.Length != words.Length)
                throw new InvalidOperationException($"Row {row}: {words.Length} tokens but {keys.Length} labels; the label column needs one label per token.");
            if (words.Length == 0) continue;
            var text = words.DenseValues().Select(w => w.ToString()).ToArray();
            int empty = Array.IndexOf(text, "");
            if (empty >= 0) throw new InvalidOperationException($"Row {row}: token {empty} is empty.");
            sentences.Add(new TaggedSentence(text, Names(keys, labelNames, row)));
        }
        return sentences;
    }

    // The label names of a row's keys; a missing key (0) or one beyond the names is an error naming the row and token.
    private static string[] Names(VBuffer<uint> keys, string[] labelNames, long row)
    {
        var names = new string[keys.Length];
        int i = 0;
        foreach (uint key in keys.DenseValues())
        {
            if (key == 0 || key > labelNames.Length)
                throw new InvalidOperationException($"Row {row}: label key {key} of token {i} is outside the label's key range 1..{labelNames.Length} (0 is a missing label).");
            names[i++] = labelNames[key - 1];
        }
        return names;
    }

    /// <summary>
    /// <paramref name="input"/> plus the columns the fitted chain adds, as the estimator declares them before training:
    /// <c>Score</c> (a variable-length vector of Single) and <c>PredictedLabels</c> (a variable-length vector of keys
    /// with text key values). Schema-shape columns cannot be built outside ML.NET, so the shape comes from a probe of
    /// public estimators that is never fitted: a custom mapping declaring both, the labels as text mapped to keys.
    /// </summary>
    public static SchemaShape OutputSchema(SchemaShape input, string tokenColumn, string labelColumn, int stepWidth)
    {
        var tokens = SchemaColumns.Find(input, tokenColumn);
        if (tokens.Kind == SchemaShape.Column.VectorKind.Scalar || (stepWidth > 0 ? tokens.ItemType != NumberDataViewType.Single : tokens.ItemType is not TextDataViewType))
            throw new InvalidOperationException(TokenMessage(tokenColumn, tokens.ItemType, stepWidth));
        var label = SchemaColumns.Find(input, labelColumn);
        if (label.Kind == SchemaShape.Column.VectorKind.Scalar || !label.IsKey || label.ItemType != NumberDataViewType.UInt32)
            throw new InvalidOperationException(LabelMessage(labelColumn, label.ItemType));
        var ml = new MLContext(seed: 0);
        return ml.Transforms.CustomMapping<NoColumns, Probe>((_, _) => { }, contractName: null)
            .Append(ml.Transforms.Conversion.MapValueToKey(PredictedLabels))
            .GetOutputSchema(input);
    }

    private static string TokenMessage(string tokenColumn, DataViewType type, int stepWidth) => stepWidth > 0
        ? $"Token column '{tokenColumn}' is {type}; with StepWidth {stepWidth} the tagger reads a vector of Single, {stepWidth} values per step."
        : $"Token column '{tokenColumn}' is {type}; the tagger reads a vector of text (e.g. TokenizeIntoWords), so that words never seen in training keep their spelling (or a vector of Single with StepWidth set).";

    private static string LabelMessage(string labelColumn, DataViewType type)
        => $"Label column '{labelColumn}' is {type}; the tagger needs a vector of UInt32 keys, one per token (e.g. TokenizeIntoWords + MapValueToKey).";

    private sealed class NoColumns;

    private sealed class Probe
    {
        [VectorType]
        public float[] Score { get; set; } = [];

        [VectorType]
        public string[] PredictedLabels { get; set; } = [];
    }
}
