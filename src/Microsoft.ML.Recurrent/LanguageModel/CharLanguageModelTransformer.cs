using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Onnx;

namespace Microsoft.ML.Recurrent;

/// <summary>
/// A fitted character language model in an ML.NET pipeline: reads a prompt from a text column and writes the
/// generated continuation (the prompt itself is not repeated) to a new text column. Produced by
/// <see cref="CharLanguageModelEstimator.Fit(IDataView)"/>, or built directly around a trained or loaded
/// <see cref="CharLanguageModel"/>. Works lazily with <see cref="Transform(IDataView)"/> and cursors, with
/// <c>mlContext.Model.CreatePredictionEngine</c>, and with <c>mlContext.Model.Save</c> / <c>Load</c>.
/// </summary>
/// <remarks>
/// <para>
/// The model runs as an ONNX graph (<see cref="ExportToOnnx(Stream)"/>) inside ML.NET's own OnnxTransformer,
/// between ML.NET's character tokenizer and a step that joins the generated characters; that chain is what this
/// transformer applies and what <c>mlContext.Model.Save</c> writes. A process that loads the zip with plain
/// <c>mlContext.Model.Load</c> gets the same text from the same prompt, with only this package referenced and no
/// registration call. The loaded pipeline is ML.NET's own chain of transforms, not this class;
/// <see cref="CharLanguageModel.LoadOnnx(string)"/> reads the language model back out of the zip.
/// </para>
/// <para>
/// Without a <see cref="SeedColumnName"/>, every row is sampled with the same <see cref="Seed"/>: the same prompt
/// always gives the same text, whether it comes through <see cref="Transform(IDataView)"/> or a prediction engine.
/// With one, each row is sampled with the seed in that Int32 column (before and after <c>mlContext.Model.Save</c> /
/// <c>Load</c>), so rows with the same prompt and different seeds get different samples, and a seed can be chosen per
/// request. Either way a row's text is the text <see cref="CharLanguageModel.Generate"/> gives with these settings and
/// its seed. Characters of a prompt that the model never
/// saw in training are skipped (a pipeline should not fail on one odd character); an empty prompt starts the
/// text from scratch. ONNX Runtime runs on the CPU unless <see cref="OnnxExecutionOptions.GpuDeviceId"/> asks for
/// CUDA; a loaded pipeline runs where the loading <see cref="MLContext"/> says (its <c>GpuDeviceId</c>).
/// </para>
/// </remarks>
public sealed class CharLanguageModelTransformer : ITransformer
{
    private readonly byte[] _onnx;
    private readonly ITransformer _chain;

    /// <summary>Wraps <paramref name="model"/> as a transformer that generates text from prompts.</summary>
    /// <param name="model">A trained (or loaded) character language model.</param>
    /// <param name="outputColumnName">Name of the text column the generated continuation is written to.</param>
    /// <param name="inputColumnName">Name of the text column holding the prompt; null means
    /// <paramref name="outputColumnName"/> (the prompt column is then replaced by the continuation).</param>
    /// <param name="maxLength">Number of characters to generate per row.</param>
    /// <param name="temperature">Sampling temperature; 0 is greedy decoding, higher is more varied.</param>
    /// <param name="seed">Seed of the sampler for every row, unless <paramref name="seedColumnName"/> is given.</param>
    /// <param name="execution">Where ONNX Runtime runs the model (CPU by default, or CUDA).</param>
    /// <param name="seedColumnName">Name of an Int32 column holding each row's sampling seed; null samples every row with
    /// <paramref name="seed"/>. It has no effect at temperature 0 (greedy), but must still be present.</param>
    /// <exception cref="InvalidOperationException">CUDA was requested with <see cref="OnnxExecutionOptions.FallbackToCpu"/>
    /// false and cannot be used.</exception>
    public CharLanguageModelTransformer(CharLanguageModel model, string outputColumnName, string? inputColumnName = null,
        int maxLength = CharLanguageModelEstimator.Options.DefaultMaxLength,
        float temperature = CharLanguageModelEstimator.Options.DefaultTemperature, int seed = 0,
        OnnxExecutionOptions? execution = null, string? seedColumnName = null)
        : this(model, outputColumnName, inputColumnName, maxLength, temperature, seed, execution, seedColumnName, log: null)
    {
    }

    internal CharLanguageModelTransformer(CharLanguageModel model, string outputColumnName, string? inputColumnName,
        int maxLength, float temperature, int seed, OnnxExecutionOptions? execution, string? seedColumnName, Action<string>? log)
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
        SeedColumnName = string.IsNullOrWhiteSpace(seedColumnName) ? null : seedColumnName;
        foreach (string name in new[] { InputColumnName, OutputColumnName, SeedColumnName }.OfType<string>().Where(GenerationChain.TemporaryColumns.Contains))
        {
            throw new ArgumentException($"Column name '{name}' is used internally by the generation pipeline; choose another name.");
        }
        if (SeedColumnName == InputColumnName)
        {
            throw new ArgumentException($"The seed column and the prompt column are both '{SeedColumnName}'; the seed needs a column of its own.", nameof(seedColumnName));
        }
        MaxLength = maxLength;
        Temperature = temperature;
        Seed = seed;
        _onnx = model.ExportGenerator(maxLength, temperature, seed, uniformsInput: SeedColumnName is not null);
        _chain = GenerationChain.Create(_onnx, OnnxExecution.Resolve(execution, _onnx, log), InputColumnName, OutputColumnName, SeedColumnName, maxLength);
    }

    /// <summary>The language model.</summary>
    public CharLanguageModel Model { get; }

    /// <summary>Name of the text column the generated continuation is written to.</summary>
    public string OutputColumnName { get; }

    /// <summary>Name of the text column the prompt is read from.</summary>
    public string InputColumnName { get; }

    /// <summary>Number of characters generated per row.</summary>
    public int MaxLength { get; }

    /// <summary>Sampling temperature (0 = greedy).</summary>
    public float Temperature { get; }

    /// <summary>Seed of the sampler for every row when there is no <see cref="SeedColumnName"/> (unused otherwise).</summary>
    public int Seed { get; }

    /// <summary>Name of the Int32 column holding each row's sampling seed, or null when every row is sampled with <see cref="Seed"/>.</summary>
    public string? SeedColumnName { get; }

    /// <summary>Always true: the transformer maps each row on its own.</summary>
    public bool IsRowToRowMapper => _chain.IsRowToRowMapper;

    /// <summary>The input schema plus the generated text column.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The prompt column (or the seed column) is missing.</exception>
    /// <exception cref="InvalidOperationException">The prompt column is not text (or the seed column is not Int32).</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        GenerationMapping.CheckInputColumn(inputSchema, InputColumnName, nameof(inputSchema));
        GenerationMapping.CheckSeedColumn(inputSchema, SeedColumnName, nameof(inputSchema));
        return _chain.GetOutputSchema(inputSchema);
    }

    /// <summary>A row-to-row mapper (used by prediction engines).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The prompt column (or the seed column) is missing.</exception>
    /// <exception cref="InvalidOperationException">The prompt column is not text (or the seed column is not Int32).</exception>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        GenerationMapping.CheckInputColumn(inputSchema, InputColumnName, nameof(inputSchema));
        GenerationMapping.CheckSeedColumn(inputSchema, SeedColumnName, nameof(inputSchema));
        return _chain.GetRowToRowMapper(inputSchema);
    }

    /// <summary>Lazily adds the generated column: text is generated only for the rows a cursor reads.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The prompt column (or the seed column) is missing.</exception>
    /// <exception cref="InvalidOperationException">The prompt column is not text (or the seed column is not Int32).</exception>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GenerationMapping.CheckInputColumn(input.Schema, InputColumnName, nameof(input));
        GenerationMapping.CheckSeedColumn(input.Schema, SeedColumnName, nameof(input));
        return _chain.Transform(input);
    }

    /// <summary>
    /// Writes the generator graph this transformer runs (the one <c>mlContext.Model.Save</c> stores), for ONNX
    /// Runtime or any other ONNX runtime; see <see cref="CharLanguageModel.ExportGeneratorToOnnx"/> for its inputs
    /// and outputs. With a <see cref="SeedColumnName"/> the graph has a second input, <c>sampling_uniforms</c>
    /// (double [1, <see cref="MaxLength"/>], uniforms in [0, 1), one per generated character; each picks the first
    /// character whose cumulative probability exceeds it): the saved pipeline fills it from the row's seed, and a caller
    /// of the graph supplies its own random numbers there. Unused at temperature 0.
    /// </summary>
    public void ExportToOnnx(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        stream.Write(_onnx);
    }

    /// <summary>Saves the pipeline of ML.NET transforms this transformer applies (see the remarks).</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => ((ICanSaveModel)_chain).Save(ctx);
}
