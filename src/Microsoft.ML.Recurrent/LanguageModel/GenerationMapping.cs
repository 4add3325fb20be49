using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.Recurrent;

/// <summary>
/// The schema side of the language model's ML.NET surface: an output-schema probe for the estimator (a
/// <c>CustomMapping</c> that never runs; its row classes use fixed member names, renamed to the user's columns
/// by <see cref="SchemaDefinition"/>) and the checks of the prompt column.
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

    /// <summary>An empty data view with the text column <paramref name="inputColumnName"/>, to bind a pipeline to.</summary>
    public static IDataView EmptyPrompts(MLContext ml, string inputColumnName)
        => ml.Data.LoadFromEnumerable(Array.Empty<PromptRow>(), PromptSchema(inputColumnName));

    private static SchemaDefinition PromptSchema(string inputColumnName)
    {
        var input = SchemaDefinition.Create(typeof(PromptRow));
        input[0].ColumnName = inputColumnName;
        return input;
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
