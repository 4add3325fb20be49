using Microsoft.ML.Recurrent;

namespace Microsoft.ML;

/// <summary>Sequence-to-sequence translation in ML.NET's text transforms catalog.</summary>
public static class TranslatorCatalog
{
    /// <summary>
    /// Trains an encoder–decoder with attention that turns the source column's tokens into the target column's (a
    /// translation, a pronunciation, a normalised form); the fitted transformer writes each row's greedy output as one
    /// text, its tokens joined by single spaces.
    /// </summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="outputColumnName">Column that receives the output text.</param>
    /// <param name="sourceColumnName">Source tokens: a vector of text (<c>TokenizeIntoWords</c>) or of text-keyed keys (<c>TokenizeIntoCharactersAsKeys</c>).</param>
    /// <param name="targetColumnName">Target tokens trained on, of the same kinds.</param>
    /// <param name="cell">Recurrent cell of the encoder and decoder.</param>
    /// <param name="hiddenSize">Hidden units per layer (per direction in the encoder).</param>
    /// <param name="epochs">Passes over the pairs.</param>
    /// <param name="seed">Seed of initialisation, dropout and shuffling; null takes one from the MLContext's seed.</param>
    public static SequenceTranslatorEstimator TrainTranslator(this TransformsCatalog.TextTransforms catalog, string outputColumnName,
        string sourceColumnName, string targetColumnName, RecurrentCell cell = RecurrentCell.Lstm, int hiddenSize = 256, double epochs = 30, int? seed = null)
        => TrainTranslator(catalog, outputColumnName, sourceColumnName, targetColumnName, new SequenceTranslatorOptions
        {
            Cell = cell,
            HiddenSize = hiddenSize,
            MaxEpochs = epochs,
            Seed = seed,
        });

    /// <summary>Trains a sequence translator with every setting given by <paramref name="options"/>.</summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="outputColumnName">Column that receives the output text.</param>
    /// <param name="sourceColumnName">Source tokens: a vector of text (<c>TokenizeIntoWords</c>) or of text-keyed keys (<c>TokenizeIntoCharactersAsKeys</c>).</param>
    /// <param name="targetColumnName">Target tokens trained on, of the same kinds.</param>
    /// <param name="options">Architecture and training settings.</param>
    public static SequenceTranslatorEstimator TrainTranslator(this TransformsCatalog.TextTransforms catalog, string outputColumnName,
        string sourceColumnName, string targetColumnName, SequenceTranslatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new SequenceTranslatorEstimator(MLNetLog.TryGetEnvironment(catalog), outputColumnName, sourceColumnName, targetColumnName, options);
    }
}
