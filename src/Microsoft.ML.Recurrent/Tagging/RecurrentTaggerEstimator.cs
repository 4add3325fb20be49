using Microsoft.ML.Recurrent.Tagging;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Recurrent;

/// <summary>
/// Trains a recurrent sequence tagger (a label for every token) on a token column of text and a label column of keys
/// of the same length. Create it with <see cref="RecurrentTaggingCatalog"/>'s <c>RecurrentTagger</c> methods on
/// <c>mlContext.MulticlassClassification.Trainers</c>.
/// </summary>
/// <remarks>
/// Training is deterministic for a given <see cref="RecurrentTrainerOptions.Seed"/> (or, when it is null, the MLContext's
/// seed). Epoch reports go to <see cref="MLContext.Log"/> (source <c>RecurrentTagger</c>) when the catalog's context can
/// be reached. Rows with no tokens are skipped in training; a label vector of another length than its token vector, a
/// missing label key, an empty token and a training set with a single label are errors.
/// </remarks>
public sealed class RecurrentTaggerEstimator : IEstimator<RecurrentTaggerTransformer>
{
    private const string LogName = "RecurrentTagger";
    private readonly IHostEnvironment? _environment;
    private readonly RecurrentTaggerOptions _options;

    internal RecurrentTaggerEstimator(IHostEnvironment? environment, RecurrentTaggerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.LabelColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.TokenColumnName);
        options.Validate();
        _environment = environment;
        _options = options;
    }

    /// <summary>
    /// The input schema plus the columns the fitted transformer adds: <c>Score</c> (a variable-length vector of Single,
    /// the label probabilities of every token one after the other, labels in the order of
    /// <see cref="RecurrentTaggerTransformer.Labels"/>) and <c>PredictedLabels</c> (a variable-length vector of keys
    /// over the label column's key values, so <c>MapKeyToValue("PredictedLabels")</c> can follow in the same chain).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The label or token column is missing.</exception>
    /// <exception cref="InvalidOperationException">The token column is not a vector of text (or of Single with a step width), or the label column not a vector of UInt32 keys.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return TaggerColumns.OutputSchema(inputSchema, _options.TokenColumnName, _options.LabelColumnName, _options.StepWidth);
    }

    /// <summary>Reads the sentences and their labels, trains the tagger, and wraps it as a transformer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The label or token column is missing.</exception>
    /// <exception cref="InvalidOperationException">A column has the wrong type, or a row's labels are invalid.</exception>
    /// <exception cref="ArgumentException">The training set holds fewer than two labels.</exception>
    public RecurrentTaggerTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var o = ContextSeed.Apply(_options, _environment, LogName);
        TaggerColumns.CheckTokens(input.Schema, o.TokenColumnName, o.StepWidth);
        var keyNames = TaggerColumns.LabelNames(input.Schema, o.LabelColumnName);

        SequenceTagger tagger;
        using (var channel = MLNetLog.TryStart(_environment, LogName))
        {
            Action<string>? log = channel is null ? null : line => channel.Info(MessageSensitivity.None, line);
            if (o.StepWidth > 0)
            {
                var (steps, labels) = TaggerColumns.ReadSteps(input, o.TokenColumnName, o.LabelColumnName, o.StepWidth, keyNames);
                channel?.Info(MessageSensitivity.None, $"Training a recurrent tagger on {steps.Count:N0} float sequences of column '{o.TokenColumnName}'.");
                tagger = SequenceTagger.TrainOnSteps(steps, o.StepWidth, labels, o, null, log, default);
            }
            else
            {
                var sentences = TaggerColumns.Read(input, o.TokenColumnName, o.LabelColumnName, keyNames);
                channel?.Info(MessageSensitivity.None, $"Training a recurrent tagger on {sentences.Count:N0} sentences of column '{o.TokenColumnName}'.");
                tagger = SequenceTagger.Train(sentences, o, null, null, log, default);
            }
        }
        return new RecurrentTaggerTransformer(tagger, keyNames, o.TokenColumnName, input);
    }
}
