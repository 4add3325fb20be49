using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.Recurrent;

/// <summary>
/// The schema side of the language model's ML.NET surface: an output-schema probe for the estimator (a
/// <c>CustomMapping</c> that never runs; its row classes use fixed member names, renamed to the user's columns
/// by <see cref="SchemaDefinition"/>) and the checks of the prompt and seed columns.
/// </summary>
internal static class GenerationMapping
{
    /// <summary>A row with the prompt.</summary>
    internal sealed class PromptRow
    {
        public string Prompt { get; set; } = "";
    }

    /// <summary>A row with the generated continuation.</summary>
    internal sealed class GenerationRow
    {
        public string Generated { get; set; } = "";
    }

    /// <summary>An estimator whose output schema is the input's plus the text column <paramref name="outputColumnName"/>; never fitted.</summary>
    public static IEstimator<ITransformer> CreateSchemaProbe(string inputColumnName, string outputColumnName)
    {
        var output = SchemaDefinition.Create(typeof(GenerationRow));
        output[0].ColumnName = outputColumnName;
        // CustomMapping needs an MLContext; the catalog's own context is not reachable from outside ML.NET.
        return new MLContext(seed: 0).Transforms.CustomMapping<PromptRow, GenerationRow>((_, _) => { }, contractName: null, PromptSchema(inputColumnName), output);
    }

    /// <summary>A row with the prompt and its sampling seed.</summary>
    internal sealed class SeededPromptRow
    {
        public string Prompt { get; set; } = "";

        public int Seed { get; set; }
    }

    /// <summary>
    /// An empty data view with the text column <paramref name="inputColumnName"/> and, when given, the Int32 column
    /// <paramref name="seedColumnName"/>, to bind a pipeline to.
    /// </summary>
    public static IDataView EmptyPrompts(MLContext ml, string inputColumnName, string? seedColumnName = null)
    {
        if (seedColumnName is null) return ml.Data.LoadFromEnumerable(Array.Empty<PromptRow>(), PromptSchema(inputColumnName));
        var schema = SchemaDefinition.Create(typeof(SeededPromptRow));
        schema[nameof(SeededPromptRow.Prompt)].ColumnName = inputColumnName;
        schema[nameof(SeededPromptRow.Seed)].ColumnName = seedColumnName;
        return ml.Data.LoadFromEnumerable(Array.Empty<SeededPromptRow>(), schema);
    }

    private static SchemaDefinition PromptSchema(string inputColumnName)
    {
        var input = SchemaDefinition.Create(typeof(PromptRow));
        input[0].ColumnName = inputColumnName;
        return input;
    }

    /// <summary>Throws unless <paramref name="schema"/> has a scalar text column <paramref name="columnName"/>.</summary>
    public static void CheckInputColumn(DataViewSchema schema, string columnName, string paramName)
        => Check(s_prompt, schema.GetColumnOrNull(columnName)?.Type, columnName, paramName);

    /// <summary>Throws unless <paramref name="schema"/> has a scalar text column <paramref name="columnName"/>.</summary>
    public static void CheckInputColumn(SchemaShape schema, string columnName, string paramName)
        => Check(s_prompt, schema, columnName, paramName);

    /// <summary>Throws unless <paramref name="schema"/> has a scalar Int32 column <paramref name="columnName"/> (none to check when null).</summary>
    public static void CheckSeedColumn(DataViewSchema schema, string? columnName, string paramName)
    {
        if (columnName is not null) Check(s_seed, schema.GetColumnOrNull(columnName)?.Type, columnName, paramName);
    }

    /// <summary>Throws unless <paramref name="schema"/> has a scalar Int32 column <paramref name="columnName"/> (none to check when null).</summary>
    public static void CheckSeedColumn(SchemaShape schema, string? columnName, string paramName)
    {
        if (columnName is not null) Check(s_seed, schema, columnName, paramName);
    }

    // What a column must hold, for the checks and their messages.
    private sealed record ColumnRole(string Name, string Purpose, DataViewType Type, string TypeName);

    private static readonly ColumnRole s_prompt = new("Input", "reads text from it", TextDataViewType.Instance, "String (text)");
    private static readonly ColumnRole s_seed = new("Seed", "reads each row's sampling seed from it", NumberDataViewType.Int32, "Int32 (one seed per row)");

    private static void Check(ColumnRole role, DataViewType? type, string columnName, string paramName)
    {
        if (type is null) throw NotFound(role, columnName, paramName);
        if (!type.Equals(role.Type)) throw WrongType(role, columnName, type.ToString() ?? type.GetType().Name);
    }

    private static void Check(ColumnRole role, SchemaShape schema, string columnName, string paramName)
    {
        // SchemaShape.TryFindColumn is internal to ML.NET; the shape lists its columns.
        if (schema.LastOrDefault(c => c.Name == columnName) is not { Name: not null } column) throw NotFound(role, columnName, paramName);
        if (column.Kind != SchemaShape.Column.VectorKind.Scalar || !column.ItemType.Equals(role.Type) || column.IsKey)
        {
            string kind = column.Kind == SchemaShape.Column.VectorKind.Scalar ? "" : $"{column.Kind} of ";
            throw WrongType(role, columnName, $"{kind}{column.ItemType}");
        }
    }

    private static ArgumentOutOfRangeException NotFound(ColumnRole role, string columnName, string paramName)
        => new(paramName, $"{role.Name} column '{columnName}' not found; the character language model {role.Purpose}.");

    private static InvalidOperationException WrongType(ColumnRole role, string columnName, string actual)
        => new($"{role.Name} column '{columnName}' must be of type {role.TypeName}, but is {actual}.");
}
