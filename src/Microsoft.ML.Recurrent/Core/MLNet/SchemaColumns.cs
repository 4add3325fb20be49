using Microsoft.ML.Data;

namespace Microsoft.ML.Recurrent;

/// <summary>Looking up the columns an estimator reads, with errors that name a missing one, and a key column's names.</summary>
internal static class SchemaColumns
{
    /// <summary>The column <paramref name="name"/> of a schema shape (the last one of that name, as ML.NET resolves it).</summary>
    /// <exception cref="ArgumentOutOfRangeException">No column has that name.</exception>
    public static SchemaShape.Column Find(SchemaShape schema, string name)
        // SchemaShape.TryFindColumn is internal to ML.NET; the shape lists its columns.
        => schema.LastOrDefault(c => c.Name == name) is { Name: not null } column ? column
            : throw new ArgumentOutOfRangeException(nameof(schema), name, $"Column '{name}' was not found in the input.");

    /// <summary>The column <paramref name="name"/> of a schema.</summary>
    /// <exception cref="ArgumentOutOfRangeException">No column has that name.</exception>
    public static DataViewSchema.Column Find(DataViewSchema schema, string name)
        => schema.GetColumnOrNull(name) ?? throw new ArgumentOutOfRangeException(nameof(name), name, $"Column '{name}' was not found in the input.");

    /// <summary>
    /// The names of a key column's <paramref name="count"/> keys: its text key values when it has them (one per key),
    /// else "1", "2", ….
    /// </summary>
    public static string[] KeyNames(DataViewSchema.Column column, int count)
    {
        var names = Enumerable.Range(1, count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        if (column.HasKeyValues() && column.Annotations.Schema["KeyValues"].Type is VectorDataViewType { ItemType: TextDataViewType })
        {
            VBuffer<ReadOnlyMemory<char>> values = default;
            column.GetKeyValues(ref values);
            var text = values.DenseValues().Select(v => v.ToString()).ToArray();
            if (text.Length == names.Length) names = text;
        }
        return names;
    }
}
