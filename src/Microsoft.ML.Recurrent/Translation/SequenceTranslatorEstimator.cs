using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Translation;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Recurrent;

/// <summary>
/// Trains a <see cref="SequenceTranslator"/> on a source column and a target column of tokens — each a vector of text
/// (e.g. from <c>TokenizeIntoWords</c>) or a vector of keys with text key values (e.g. from
/// <c>TokenizeIntoCharactersAsKeys</c>, read as those values) — and returns a transformer that writes each row's greedy
/// output as one text, its tokens joined by single spaces. Every row needs at least one token on each side.
/// </summary>
public sealed class SequenceTranslatorEstimator : IEstimator<SequenceTranslatorTransformer>
{
    private const string LogName = nameof(SequenceTranslator);
    private readonly IHostEnvironment? _environment;
    private readonly SequenceTranslatorOptions _options;
    private readonly IEstimator<ITransformer> _schemaProbe;

    internal SequenceTranslatorEstimator(IHostEnvironment? environment, string outputColumnName, string sourceColumnName,
        string targetColumnName, SequenceTranslatorOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outputColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(sourceColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(targetColumnName);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        foreach (string name in new[] { sourceColumnName, targetColumnName, outputColumnName }.Where(n => TranslatorChain.TemporaryColumns.Contains(n) || n == TranslatorColumns.KeyText))
            throw new ArgumentException($"Column name '{name}' is used internally by the translation pipeline; choose another name.");
        _environment = environment;
        _options = options;
        OutputColumnName = outputColumnName;
        SourceColumnName = sourceColumnName;
        TargetColumnName = targetColumnName;
        _schemaProbe = TranslatorColumns.CreateSchemaProbe(outputColumnName);
    }

    /// <summary>Column that receives the output text.</summary>
    public string OutputColumnName { get; }

    /// <summary>Column holding the source tokens.</summary>
    public string SourceColumnName { get; }

    /// <summary>Column holding the target tokens trained on.</summary>
    public string TargetColumnName { get; }

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        TranslatorColumns.Check(inputSchema, SourceColumnName, "source");
        TranslatorColumns.Check(inputSchema, TargetColumnName, "target");
        return _schemaProbe.GetOutputSchema(inputSchema);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">The source or target column is missing.</exception>
    /// <exception cref="InvalidOperationException">The source or target column is not a vector of text or of text-keyed keys, or there are no rows.</exception>
    /// <exception cref="ArgumentException">A row's source or target is empty or longer than the options allow.</exception>
    public SequenceTranslatorTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var sources = TranslatorColumns.Read(input, SourceColumnName, "source");
        var targets = TranslatorColumns.Read(input, TargetColumnName, "target");
        if (sources.Count == 0) throw new InvalidOperationException("The training data has no rows.");
        var pairs = sources.Zip(targets, (s, t) => new SequencePair(s, t)).ToList();
        var options = ContextSeed.Apply(_options, _environment, LogName);
        SequenceTranslator translator;
        using (var channel = MLNetLog.TryStart(_environment, LogName))
        {
            channel?.Info(MessageSensitivity.None, $"Training a sequence translator on {pairs.Count:N0} pairs of columns '{SourceColumnName}' → '{TargetColumnName}'.");
            translator = SequenceTranslator.Train(pairs, options, null, null, channel is null ? null : line => channel.Info(MessageSensitivity.None, line), CancellationToken.None);
        }
        return new SequenceTranslatorTransformer(translator, OutputColumnName, SourceColumnName, input);
    }
}
