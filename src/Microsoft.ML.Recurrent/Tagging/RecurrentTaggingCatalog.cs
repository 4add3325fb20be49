using Microsoft.ML.Recurrent;

namespace Microsoft.ML;

/// <summary>The recurrent sequence tagger on <c>mlContext.MulticlassClassification.Trainers</c> (a label for every token).</summary>
public static class RecurrentTaggingCatalog
{
    /// <summary>
    /// Creates a recurrent sequence tagger over a token column of text, with a label column of keys holding one label
    /// per token. Outputs <c>PredictedLabels</c> (a key per token with the label's values) and <c>Score</c>.
    /// </summary>
    /// <param name="catalog">The multiclass classification trainers catalog.</param>
    /// <param name="labelColumnName">The label column: a vector of keys, one per token.</param>
    /// <param name="tokenColumnName">The token column: a vector of text.</param>
    /// <param name="cell">Recurrent cell.</param>
    /// <param name="hiddenSize">Hidden units per direction.</param>
    /// <param name="maxEpochs">Most epochs (training keeps the best epoch on a held-out 10%).</param>
    /// <param name="seed">Seed: the same seed gives the same model; null takes one from the MLContext's seed.</param>
    /// <example>
    /// <code>
    /// var pipeline = ml.Transforms.Text.TokenizeIntoWords("Tokens", "Sentence")
    ///     .Append(ml.Transforms.Text.TokenizeIntoWords("Tags", "TagLine"))
    ///     .Append(ml.Transforms.Conversion.MapValueToKey("Label", "Tags"))
    ///     .Append(ml.MulticlassClassification.Trainers.RecurrentTagger("Label", "Tokens"))
    ///     .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedTags", "PredictedLabels"));
    /// </code>
    /// </example>
    public static RecurrentTaggerEstimator RecurrentTagger(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = "Label", string tokenColumnName = "Tokens", RecurrentCell cell = RecurrentCell.Lstm,
        int hiddenSize = 128, int maxEpochs = 20, int? seed = null)
        => RecurrentTagger(catalog, new RecurrentTaggerOptions
        {
            LabelColumnName = labelColumnName,
            TokenColumnName = tokenColumnName,
            Cell = cell,
            HiddenSize = hiddenSize,
            MaxEpochs = maxEpochs,
            Seed = seed,
        });

    /// <summary>Creates a recurrent sequence tagger with every option (see <see cref="RecurrentTaggerOptions"/>).</summary>
    /// <param name="catalog">The multiclass classification trainers catalog.</param>
    /// <param name="options">Columns, architecture and training settings.</param>
    public static RecurrentTaggerEstimator RecurrentTagger(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        RecurrentTaggerOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new RecurrentTaggerEstimator(MLNetLog.TryGetEnvironment(catalog), options);
    }
}
