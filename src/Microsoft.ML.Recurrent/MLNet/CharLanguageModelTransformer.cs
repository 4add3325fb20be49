using System.Text;
using Microsoft.ML.Data;

namespace Microsoft.ML.Recurrent;

/// <summary>
/// A fitted character language model in an ML.NET pipeline: reads a prompt from a text column and writes the
/// generated continuation (the prompt itself is not repeated) to a new text column. Produced by
/// <see cref="CharLanguageModelEstimator.Fit(IDataView)"/>, or built directly around a trained or loaded
/// <see cref="CharLanguageModel"/>. Works lazily with <see cref="Transform(IDataView)"/> and cursors, and with
/// <c>mlContext.Model.CreatePredictionEngine</c>.
/// </summary>
/// <remarks>
/// Every row is generated with the same <see cref="Seed"/>, so the same prompt always gives the same text,
/// whether it comes through <see cref="Transform(IDataView)"/> or a prediction engine. Characters of a prompt that
/// the model never saw in training are skipped (a pipeline should not fail on one odd character); an empty
/// prompt starts the text from scratch. Rows may be generated in parallel (generation is thread-safe).
/// Saving with <c>mlContext.Model.Save</c> is not supported yet (ML.NET persistence arrives with the ONNX
/// route); save and load the <see cref="Model"/> with <see cref="CharLanguageModel.Save(string)"/> and
/// <see cref="CharLanguageModel.Load(string)"/>, then wrap the loaded model with
/// <see cref="CharLanguageModelTransformer(CharLanguageModel, string, string?, int, float, int)"/>.
/// </remarks>
public sealed class CharLanguageModelTransformer : ITransformer
{
    private readonly ITransformer _mapping;

    /// <summary>Wraps <paramref name="model"/> as a transformer that generates text from prompts.</summary>
    /// <param name="model">A trained (or loaded) character language model.</param>
    /// <param name="outputColumnName">Name of the text column the generated continuation is written to.</param>
    /// <param name="inputColumnName">Name of the text column holding the prompt; null means
    /// <paramref name="outputColumnName"/> (the prompt column is then replaced by the continuation).</param>
    /// <param name="maxLength">Number of characters to generate per row.</param>
    /// <param name="temperature">Sampling temperature; 0 is greedy decoding, higher is more varied.</param>
    /// <param name="seed">Seed of the sampler, the same for every row.</param>
    public CharLanguageModelTransformer(CharLanguageModel model, string outputColumnName, string? inputColumnName = null,
        int maxLength = CharLanguageModelEstimator.Options.DefaultMaxLength,
        float temperature = CharLanguageModelEstimator.Options.DefaultTemperature, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputColumnName);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxLength);
        if (!(temperature >= 0) || float.IsInfinity(temperature))
        {
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "Temperature must be a finite number >= 0.");
        }

        Model = model;
        OutputColumnName = outputColumnName;
        InputColumnName = string.IsNullOrWhiteSpace(inputColumnName) ? outputColumnName : inputColumnName;
        MaxLength = maxLength;
        Temperature = temperature;
        Seed = seed;
        var known = model.Vocabulary.Select(symbol => Rune.GetRuneAt(symbol, 0).Value).ToHashSet();
        _mapping = GenerationMapping.CreateTransformer(
            (src, dst) => dst.Generated = model.Generate(KnownCharacters(src.Prompt, known), maxLength, temperature, seed),
            InputColumnName, OutputColumnName);
    }

    /// <summary><paramref name="prompt"/> without the characters the model does not know.</summary>
    private static string KnownCharacters(string? prompt, HashSet<int> known)
    {
        if (string.IsNullOrEmpty(prompt))
        {
            return "";
        }
        foreach (var rune in prompt.EnumerateRunes())
        {
            if (!known.Contains(rune.Value))
            {
                var kept = new StringBuilder(prompt.Length);
                foreach (var r in prompt.EnumerateRunes())
                {
                    if (known.Contains(r.Value))
                    {
                        kept.Append(r.ToString());
                    }
                }
                return kept.ToString();
            }
        }
        return prompt;
    }

    /// <summary>The language model; save it with <see cref="CharLanguageModel.Save(string)"/>.</summary>
    public CharLanguageModel Model { get; }

    /// <summary>Name of the text column the generated continuation is written to.</summary>
    public string OutputColumnName { get; }

    /// <summary>Name of the text column the prompt is read from.</summary>
    public string InputColumnName { get; }

    /// <summary>Number of characters generated per row.</summary>
    public int MaxLength { get; }

    /// <summary>Sampling temperature (0 = greedy).</summary>
    public float Temperature { get; }

    /// <summary>Seed of the sampler, the same for every row.</summary>
    public int Seed { get; }

    /// <summary>Always true: the transformer maps each row on its own.</summary>
    public bool IsRowToRowMapper => _mapping.IsRowToRowMapper;

    /// <summary>The input schema plus the generated text column.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The prompt column is missing.</exception>
    /// <exception cref="InvalidOperationException">The prompt column is not text.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        GenerationMapping.CheckInputColumn(inputSchema, InputColumnName, nameof(inputSchema));
        return _mapping.GetOutputSchema(inputSchema);
    }

    /// <summary>A row-to-row mapper (used by prediction engines).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The prompt column is missing.</exception>
    /// <exception cref="InvalidOperationException">The prompt column is not text.</exception>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        GenerationMapping.CheckInputColumn(inputSchema, InputColumnName, nameof(inputSchema));
        return _mapping.GetRowToRowMapper(inputSchema);
    }

    /// <summary>Lazily adds the generated column: text is generated only for the rows a cursor reads.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The prompt column is missing.</exception>
    /// <exception cref="InvalidOperationException">The prompt column is not text.</exception>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GenerationMapping.CheckInputColumn(input.Schema, InputColumnName, nameof(input));
        return _mapping.Transform(input);
    }

    /// <summary>Not supported yet: ML.NET persistence of recurrent models arrives with the ONNX route.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    void ICanSaveModel.Save(ModelSaveContext ctx)
        => throw new NotSupportedException(
            "Saving a CharLanguageModelTransformer with ML.NET's Model.Save is not supported yet (ML.NET persistence " +
            "arrives with the ONNX route). Save the language model itself with transformer.Model.Save(path), load it " +
            "with CharLanguageModel.Load(path) and wrap it in a new CharLanguageModelTransformer.");
}
