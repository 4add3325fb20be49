using System.Text;
using Microsoft.ML.Recurrent.Onnx;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Recurrent;

/// <summary>
/// Trains a <see cref="CharLanguageModel"/> on a text column: <see cref="Fit(IDataView)"/> joins all rows of the
/// column with <c>'\n'</c> and trains on the result. The fitted <see cref="CharLanguageModelTransformer"/> reads a
/// prompt from the same column and writes a generated continuation. Create it with
/// <see cref="RecurrentTextCatalog.TrainCharLanguageModel(TransformsCatalog.TextTransforms, string, string?, int, int, RecurrentCell, int, float, double, int?, string?)"/>.
/// </summary>
/// <remarks>
/// Training progress is sent to <see cref="Options.Progress"/> and, as one line per report, to
/// <see cref="MLContext.Log"/> (source <c>CharLanguageModel</c>) when the catalog's context can be reached
/// (ML.NET keeps it internal; it is found by reflection, and only the log lines are lost if that fails).
/// </remarks>
public sealed class CharLanguageModelEstimator : IEstimator<CharLanguageModelTransformer>
{
    /// <summary>Options for <see cref="CharLanguageModelEstimator"/>: how to train, and how the fitted transformer generates.</summary>
    public sealed class Options
    {
        internal const int DefaultMaxLength = 200;
        internal const float DefaultTemperature = 0.8f;

        /// <summary>
        /// How to train (cell, sizes, optimizer, stopping rules, ...). The default trains an LSTM of
        /// 2 × 128 units for 10 epochs; at least one stopping rule must be set.
        /// </summary>
        public CharLanguageModelOptions TrainingOptions { get; set; } = new() { MaxEpochs = 10 };

        /// <summary>Number of characters the fitted transformer generates per row.</summary>
        public int MaxLength { get; set; } = DefaultMaxLength;

        /// <summary>Sampling temperature of the fitted transformer (0 = greedy, higher = more varied).</summary>
        public float Temperature { get; set; } = DefaultTemperature;

        /// <summary>Seed of the fitted transformer's sampler for every row when <see cref="SeedColumnName"/> is null
        /// (training has its own <see cref="RecurrentTrainerOptions.Seed"/>).</summary>
        public int Seed { get; set; }

        /// <summary>
        /// Name of an Int32 column holding each row's sampling seed, so that rows (requests) with the same prompt can
        /// get different samples, and a row's text is what <see cref="CharLanguageModel.Generate"/> gives with its seed.
        /// Null (the default) samples every row with <see cref="Seed"/>: the same prompt always gives the same text.
        /// The column must also be in the data the estimator is fitted on (ML.NET transforms that data with the fitted
        /// transformer), though training does not read it; it has no effect at temperature 0.
        /// </summary>
        public string? SeedColumnName { get; set; }

        /// <summary>Where the fitted transformer runs the model with ONNX Runtime: the CPU (default) or a CUDA device.</summary>
        public OnnxExecutionOptions? Execution { get; set; }

        /// <summary>Receives training progress reports, synchronously on the training thread.</summary>
        public IProgress<TrainingProgress>? Progress { get; set; }

        /// <summary>Cancels training.</summary>
        public CancellationToken CancellationToken { get; set; }
    }

    private readonly IHostEnvironment? _environment;
    private readonly Options _options;
    private readonly IEstimator<ITransformer> _schemaProbe;

    internal CharLanguageModelEstimator(IHostEnvironment? environment, string outputColumnName, string? inputColumnName,
        Options options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outputColumnName);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.TrainingOptions, $"{nameof(options)}.{nameof(Options.TrainingOptions)}");
        if (options.MaxLength <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxLength, $"{nameof(Options.MaxLength)} must be positive.");
        }
        if (!(options.Temperature >= 0) || float.IsInfinity(options.Temperature))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Temperature, $"{nameof(Options.Temperature)} must be a finite number >= 0.");
        }

        _environment = environment;
        _options = options;
        OutputColumnName = outputColumnName;
        InputColumnName = string.IsNullOrWhiteSpace(inputColumnName) ? outputColumnName : inputColumnName;
        // Never runs: it only describes the output schema (SchemaShape.Column cannot be built outside ML.NET).
        _schemaProbe = GenerationMapping.CreateSchemaProbe(InputColumnName, OutputColumnName);
    }

    /// <summary>Name of the text column the fitted transformer writes.</summary>
    public string OutputColumnName { get; }

    /// <summary>Name of the text column trained on, and read as the prompt by the fitted transformer.</summary>
    public string InputColumnName { get; }

    /// <summary>Name of the Int32 column of per-row sampling seeds (<see cref="Options.SeedColumnName"/>), or null.</summary>
    public string? SeedColumnName => string.IsNullOrWhiteSpace(_options.SeedColumnName) ? null : _options.SeedColumnName;

    /// <summary>The input schema plus the generated text column.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The input column (or the seed column) is missing.</exception>
    /// <exception cref="InvalidOperationException">The input column is not text (or the seed column is not Int32).</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        GenerationMapping.CheckInputColumn(inputSchema, InputColumnName, nameof(inputSchema));
        GenerationMapping.CheckSeedColumn(inputSchema, SeedColumnName, nameof(inputSchema));
        return _schemaProbe.GetOutputSchema(inputSchema);
    }

    /// <summary>Reads every row of the input column, joins them with <c>'\n'</c>, and trains a language model on the text.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The input column (or the seed column) is missing.</exception>
    /// <exception cref="InvalidOperationException">The input column is not text, or holds no text (or the seed column is not Int32).</exception>
    public CharLanguageModelTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GenerationMapping.CheckInputColumn(input.Schema, InputColumnName, nameof(input));
        // Before training, so that a pipeline whose data lacks the seed column fails at once rather than after it.
        GenerationMapping.CheckSeedColumn(input.Schema, SeedColumnName, nameof(input));

        string text = ReadText(input, InputColumnName);
        if (text.Length == 0)
        {
            throw new InvalidOperationException($"Input column '{InputColumnName}' holds no text to train on.");
        }

        CharLanguageModel model;
        using (var channel = MLNetLog.TryStart(_environment))
        {
            channel?.Info(MessageSensitivity.None,
                $"Training a character language model on {text.Length:N0} characters of column '{InputColumnName}'.");
            model = CharLanguageModel.Train(text, ContextSeed.Apply(_options.TrainingOptions, _environment, nameof(CharLanguageModel)),
                MLNetLog.Combine(_options.Progress, channel),
                channel is null ? null : line => channel.Info(MessageSensitivity.None, line), _options.CancellationToken);
        }

        using var log = MLNetLog.TryStart(_environment);
        return new CharLanguageModelTransformer(model, OutputColumnName, InputColumnName, _options.MaxLength, _options.Temperature,
            _options.Seed, _options.Execution, SeedColumnName, log is null ? null : message => log.Warning(MessageSensitivity.None, message));
    }

    private static string ReadText(IDataView input, string columnName)
    {
        var column = input.Schema[columnName];
        var text = new StringBuilder();
        using var cursor = input.GetRowCursor([column]);
        var getter = cursor.GetGetter<ReadOnlyMemory<char>>(column);
        ReadOnlyMemory<char> value = default;
        bool first = true;
        while (cursor.MoveNext())
        {
            getter(ref value);
            if (!first)
            {
                text.Append('\n');
            }
            text.Append(value.Span);
            first = false;
        }
        return text.ToString();
    }
}
