using Microsoft.ML.Recurrent;

namespace Microsoft.ML;

/// <summary>
/// Recurrent sequence classifiers on <c>mlContext.BinaryClassification.Trainers</c> and
/// <c>mlContext.MulticlassClassification.Trainers</c>.
/// </summary>
public static class RecurrentClassificationCatalog
{
    /// <summary>
    /// Creates a binary recurrent classifier over a variable-length sequence column (keys, e.g. from
    /// <c>TokenizeIntoWords</c> + <c>MapValueToKey</c>), with a Boolean label. Outputs <c>Score</c>,
    /// <c>Probability</c> and <c>PredictedLabel</c>.
    /// </summary>
    /// <param name="catalog">The binary classification trainers catalog.</param>
    /// <param name="labelColumnName">The Boolean label column.</param>
    /// <param name="featureColumnName">The key-vector sequence column.</param>
    /// <param name="cell">Recurrent cell.</param>
    /// <param name="hiddenSize">Hidden units per direction.</param>
    /// <param name="maxEpochs">Most epochs (training stops early on a held-out 10%).</param>
    /// <param name="seed">Seed: the same seed gives the same model; null takes one from the MLContext's seed.</param>
    /// <example>
    /// <code>
    /// var pipeline = ml.Transforms.Text.TokenizeIntoWords("Words", "Text")
    ///     .Append(ml.Transforms.Conversion.MapValueToKey("Tokens", "Words"))
    ///     .Append(ml.BinaryClassification.Trainers.Recurrent("Label", "Tokens"));
    /// </code>
    /// </example>
    public static RecurrentClassifierEstimator Recurrent(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog,
        string labelColumnName = "Label", string featureColumnName = "Features", RecurrentCell cell = RecurrentCell.Gru,
        int hiddenSize = 100, int maxEpochs = 4, int? seed = null)
        => Recurrent(catalog, SimpleOptions(labelColumnName, featureColumnName, cell, hiddenSize, maxEpochs, seed));

    /// <summary>Creates a binary recurrent classifier with every option (see <see cref="RecurrentClassifierOptions"/>).</summary>
    /// <param name="catalog">The binary classification trainers catalog.</param>
    /// <param name="options">Columns, architecture and training settings.</param>
    public static RecurrentClassifierEstimator Recurrent(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog,
        RecurrentClassifierOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new RecurrentClassifierEstimator(MLNetLog.TryGetEnvironment(catalog), options, binary: true);
    }

    /// <summary>
    /// Creates a multiclass recurrent classifier over a variable-length sequence column, with a key label.
    /// Outputs <c>Score</c> (class probabilities) and <c>PredictedLabel</c> (a key with the label's values).
    /// </summary>
    /// <param name="catalog">The multiclass classification trainers catalog.</param>
    /// <param name="labelColumnName">The key label column.</param>
    /// <param name="featureColumnName">The key-vector sequence column.</param>
    /// <param name="cell">Recurrent cell.</param>
    /// <param name="hiddenSize">Hidden units per direction.</param>
    /// <param name="maxEpochs">Most epochs (training stops early on a held-out 10%).</param>
    /// <param name="seed">Seed: the same seed gives the same model; null takes one from the MLContext's seed.</param>
    public static RecurrentClassifierEstimator Recurrent(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = "Label", string featureColumnName = "Features", RecurrentCell cell = RecurrentCell.Gru,
        int hiddenSize = 100, int maxEpochs = 4, int? seed = null)
        => Recurrent(catalog, SimpleOptions(labelColumnName, featureColumnName, cell, hiddenSize, maxEpochs, seed));

    /// <summary>Creates a multiclass recurrent classifier with every option (see <see cref="RecurrentClassifierOptions"/>).</summary>
    /// <param name="catalog">The multiclass classification trainers catalog.</param>
    /// <param name="options">Columns, architecture and training settings.</param>
    public static RecurrentClassifierEstimator Recurrent(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        RecurrentClassifierOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new RecurrentClassifierEstimator(MLNetLog.TryGetEnvironment(catalog), options, binary: false);
    }

    // The simple overloads' arguments as options (the same for binary and multiclass).
    private static RecurrentClassifierOptions SimpleOptions(string labelColumnName, string featureColumnName, RecurrentCell cell,
        int hiddenSize, int maxEpochs, int? seed) => new()
        {
            LabelColumnName = labelColumnName,
            FeatureColumnName = featureColumnName,
            Cell = cell,
            HiddenSize = hiddenSize,
            MaxEpochs = maxEpochs,
            Seed = seed,
        };
}
