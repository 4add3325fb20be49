using Microsoft.ML.Data;

namespace Microsoft.ML.Recurrent;

/// <summary>
/// The captioner's columns in ML.NET: the features row <see cref="CaptionChain"/> binds to, the output schema
/// the estimator declares, and the column checks its estimator and transformer share.
/// </summary>
internal static class CaptionMapping
{
    internal sealed class FeatureRow
    {
        public float[] Features { get; set; } = [];
    }

    internal sealed class CaptionRow
    {
        public string Caption { get; set; } = "";
    }

    // Reads no column: it only describes the output schema (SchemaShape.Column cannot be built outside ML.NET).
    internal sealed class NoColumns;

    public static IEstimator<ITransformer> CreateSchemaProbe(string outputColumnName)
        => new MLContext(seed: 0).Transforms.CustomMapping<NoColumns, CaptionRow>((_, _) => { }, contractName: null,
            SchemaDefinition.Create(typeof(NoColumns)), OutputSchema(outputColumnName));

    private static SchemaDefinition OutputSchema(string outputColumnName)
    {
        var output = SchemaDefinition.Create(typeof(CaptionRow));
        output[0].ColumnName = outputColumnName;
        return output;
    }

    public static void CheckFeatures(DataViewSchema schema, string columnName, int? size, string paramName)
    {
        var column = schema.GetColumnOrNull(columnName)
            ?? throw new ArgumentOutOfRangeException(paramName, $"Input column '{columnName}' not found; the captioner reads image features from it.");
        if (column.Type is not VectorDataViewType { ItemType: var item, Size: var actual } || item != NumberDataViewType.Single || actual == 0)
            throw new InvalidOperationException($"Column '{columnName}' must be a known-size vector of Single (image features), but is {column.Type}.");
        if (size is int expected && actual != expected)
            throw new InvalidOperationException($"Column '{columnName}' holds {actual} features; the captioner was trained on {expected}.");
    }

    public static void CheckFeatures(SchemaShape schema, string columnName, string paramName)
    {
        // SchemaShape.TryFindColumn is internal to ML.NET; the shape lists its columns.
        if (schema.LastOrDefault(c => c.Name == columnName) is not { Name: not null } column)
            throw new ArgumentOutOfRangeException(paramName, $"Input column '{columnName}' not found; the captioner reads image features from it.");
        if (column.Kind != SchemaShape.Column.VectorKind.Vector || column.ItemType != NumberDataViewType.Single)
            throw new InvalidOperationException($"Column '{columnName}' must be a known-size vector of Single (image features), but is {column.Kind} of {column.ItemType}.");
    }
}
