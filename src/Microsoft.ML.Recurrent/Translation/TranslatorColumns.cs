using Microsoft.ML.Data;

namespace Microsoft.ML.Recurrent.Translation;

/// <summary>
/// The translator's columns in ML.NET: a source or target column is a vector of text (what <c>TokenizeIntoWords</c>
/// writes) or a vector of keys with text key values (what <c>TokenizeIntoCharactersAsKeys</c> writes, read as those
/// values); the checks the estimator and the transformer share, reading the training pairs, and the declared output.
/// </summary>
internal static class TranslatorColumns
{
    /// <summary>The column a key vector is read through, as text.</summary>
    public const string KeyText = "translation_key_text";

    internal sealed class OutputRow
    {
        public string Text { get; set; } = "";
    }

    // Reads no column: it only describes the output schema (SchemaShape.Column cannot be built outside ML.NET).
    internal sealed class NoColumns;

    internal sealed class TokensRow
    {
        public string[] Tokens { get; set; } = [];
    }

    /// <summary>An estimator that declares only the text column <paramref name="outputColumnName"/>.</summary>
    public static IEstimator<ITransformer> CreateSchemaProbe(string outputColumnName)
    {
        var output = SchemaDefinition.Create(typeof(OutputRow));
        output[0].ColumnName = outputColumnName;
        return new MLContext(seed: 0).Transforms.CustomMapping<NoColumns, OutputRow>((_, _) => { }, contractName: null,
            SchemaDefinition.Create(typeof(NoColumns)), output);
    }

    /// <summary>Whether the column holds keys (to be read as their text values); throws unless it is a text or text-keyed vector.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The column is missing.</exception>
    /// <exception cref="InvalidOperationException">The column is of another type.</exception>
    public static bool Check(DataViewSchema schema, string columnName, string role)
    {
        var column = schema.GetColumnOrNull(columnName)
            ?? throw new ArgumentOutOfRangeException(nameof(schema), columnName, $"The {role} column '{columnName}' was not found in the input.");
        if (column.Type is VectorDataViewType { ItemType: TextDataViewType }) return false;
        if (column.Type is VectorDataViewType { ItemType: KeyDataViewType } && column.HasKeyValues()
            && column.Annotations.Schema["KeyValues"].Type is VectorDataViewType { ItemType: TextDataViewType })
            return true;
        throw new InvalidOperationException($"The {role} column '{columnName}' must be a vector of text (e.g. from TokenizeIntoWords) or a vector of keys " +
            $"with text key values (e.g. from TokenizeIntoCharactersAsKeys), but is {column.Type}.");
    }

    /// <inheritdoc cref="Check(DataViewSchema, string, string)"/>
    public static void Check(SchemaShape schema, string columnName, string role)
    {
        var column = schema.LastOrDefault(c => c.Name == columnName) is { Name: not null } found ? found
            : throw new ArgumentOutOfRangeException(nameof(schema), columnName, $"The {role} column '{columnName}' was not found in the input.");
        if (column.Kind == SchemaShape.Column.VectorKind.Scalar || !(column.ItemType is TextDataViewType || column.IsKey))
            throw new InvalidOperationException($"The {role} column '{columnName}' must be a vector of text (e.g. from TokenizeIntoWords) or a vector of keys " +
                $"with text key values (e.g. from TokenizeIntoCharactersAsKeys), but is {column.Kind} of {column.ItemType}.");
    }

    /// <summary>The column's token lists, one a row (keys as their text values).</summary>
    public static List<string[]> Read(IDataView input, string columnName, string role)
    {
        if (Check(input.Schema, columnName, role))
        {
            input = new MLContext(seed: 0).Transforms.Conversion.MapKeyToValue(KeyText, columnName).Fit(input).Transform(input);
            columnName = KeyText;
        }
        var column = input.Schema[columnName];
        var rows = new List<string[]>();
        using var cursor = input.GetRowCursor([column]);
        var getter = cursor.GetGetter<VBuffer<ReadOnlyMemory<char>>>(column);
        VBuffer<ReadOnlyMemory<char>> tokens = default;
        while (cursor.MoveNext())
        {
            getter(ref tokens);
            rows.Add([.. tokens.DenseValues().Select(t => t.ToString())]);
        }
        return rows;
    }

    /// <summary>Data with no rows and a text-vector column <paramref name="columnName"/>, to bind a chain to.</summary>
    public static IDataView TokensSchema(string columnName)
    {
        var schema = SchemaDefinition.Create(typeof(TokensRow));
        schema[0].ColumnName = columnName;
        return new MLContext(seed: 0).Data.LoadFromEnumerable(Array.Empty<TokensRow>(), schema);
    }
}
