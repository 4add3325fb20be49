using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.Recurrent;

/// <summary>
/// Builds the ML.NET <c>CustomMapping</c> that carries a <see cref="CharLanguageModel"/> into pipelines. The
/// row classes use fixed member names; <see cref="SchemaDefinition"/> renames them to the user's columns.
/// </summary>
internal static class GenerationMapping
{
    /// <summary>Input row of the mapping: the prompt.</summary>
    internal sealed class PromptRow
    {
        public string Prompt { get; set; } = "";
    }

    /// <summary>Output row of the mapping: the generated continuation.</summary>
    internal sealed class GenerationRow
    {
        public string Generated { get; set; } = "";
    }

    public static CustomMappingEstimator<PromptRow, GenerationRow> CreateEstimator(
        Action<PromptRow, GenerationRow> map, string inputColumnName, string outputColumnName)
    {
        // CustomMapping needs an MLContext; the catalog's own context is not reachable from outside ML.NET,
        // and the mapping does not use the context's randomness or log.
        var (input, output) = CreateSchemaDefinitions(inputColumnName, outputColumnName);
        return new MLContext(seed: 0).Transforms.CustomMapping(map, contractName: null, input, output);
    }

    /// <summary>A fitted mapping, built without data: the mapping only needs a schema to bind to.</summary>
    public static ITransformer CreateTransformer(
        Action<PromptRow, GenerationRow> map, string inputColumnName, string outputColumnName)
    {
        var (input, _) = CreateSchemaDefinitions(inputColumnName, outputColumnName);
        var empty = new MLContext(seed: 0).Data.LoadFromEnumerable(Array.Empty<PromptRow>(), input);
        return CreateEstimator(map, inputColumnName, outputColumnName).Fit(empty);
    }

    private static (SchemaDefinition Input, SchemaDefinition Output) CreateSchemaDefinitions(
        string inputColumnName, string outputColumnName)
    {
        var input = SchemaDefinition.Create(typeof(PromptRow));
        input[0].ColumnName = inputColumnName;
        var output = SchemaDefinition.Create(typeof(GenerationRow));
        output[0].ColumnName = outputColumnName;
        return (input, output);
    }

    /// <summary>Throws unless <paramref name="schema"/> has a scalar text column <paramref name="columnName"/>.</summary>
    public static void CheckInputColumn(DataViewSchema schema, string columnName, string paramName)
    {
        var column = schema.GetColumnOrNull(columnName)
            ?? throw new ArgumentOutOfRangeException(paramName,
                $"Input column '{columnName}' not found; the character language model reads text from it.");
        if (column.Type is not TextDataViewType)
        {
            throw new InvalidOperationException(
                $"Input column '{columnName}' must be of type String (text), but is {column.Type}.");
        }
    }

    /// <summary>Throws unless <paramref name="schema"/> has a scalar text column <paramref name="columnName"/>.</summary>
    public static void CheckInputColumn(SchemaShape schema, string columnName, string paramName)
    {
        // SchemaShape.TryFindColumn is internal to ML.NET; the shape lists its columns.
        if (schema.LastOrDefault(c => c.Name == columnName) is not { Name: not null } column)
        {
            throw new ArgumentOutOfRangeException(paramName,
                $"Input column '{columnName}' not found; the character language model reads text from it.");
        }
        if (column.Kind != SchemaShape.Column.VectorKind.Scalar || column.ItemType is not TextDataViewType)
        {
            string kind = column.Kind == SchemaShape.Column.VectorKind.Scalar ? "" : $"{column.Kind} of ";
            throw new InvalidOperationException(
                $"Input column '{columnName}' must be of type String (text), but is {kind}{column.ItemType}.");
        }
    }
}
