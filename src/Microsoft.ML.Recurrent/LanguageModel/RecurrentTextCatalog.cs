using Microsoft.ML.Recurrent;

namespace Microsoft.ML;

/// <summary>
/// Recurrent-network text transforms on <see cref="TransformsCatalog.TextTransforms"/>
/// (<c>mlContext.Transforms.Text</c>).
/// </summary>
public static class RecurrentTextCatalog
{
    /// <summary>
    /// Creates a <see cref="CharLanguageModelEstimator"/>, which trains a character-level language model on the
    /// text of <paramref name="inputColumnName"/> (all rows joined with <c>'\n'</c>). The fitted transformer reads
    /// a prompt from <paramref name="inputColumnName"/> and writes <paramref name="maxLength"/> generated
    /// characters (the continuation, without the prompt) to <paramref name="outputColumnName"/>.
    /// </summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="outputColumnName">Name of the generated text column.</param>
    /// <param name="inputColumnName">Name of the text column to train on and read prompts from; null means
    /// <paramref name="outputColumnName"/>.</param>
    /// <param name="hiddenSize">Hidden units per recurrent layer.</param>
    /// <param name="layers">Number of stacked recurrent layers.</param>
    /// <param name="cell">Recurrent cell: RNN, LSTM or GRU.</param>
    /// <param name="maxLength">Number of characters generated per row.</param>
    /// <param name="temperature">Sampling temperature (0 = greedy, higher = more varied).</param>
    /// <param name="epochs">Training epochs (passes over the text).</param>
    /// <param name="seed">Seed for training and for the sampler: the same seed gives the same model and text; null takes the
    /// training seed from the MLContext's seed and samples with seed 0. Every row is sampled with it unless
    /// <paramref name="seedColumnName"/> is given.</param>
    /// <param name="seedColumnName">Name of an Int32 column holding each row's sampling seed (see
    /// <see cref="CharLanguageModelEstimator.Options.SeedColumnName"/>); null samples every row with <paramref name="seed"/>.</param>
    /// <example>
    /// <code>
    /// var lm = mlContext.Transforms.Text.TrainCharLanguageModel("Generated", "Text", hiddenSize: 64, epochs: 5)
    ///     .Fit(corpus);
    /// var engine = mlContext.Model.CreatePredictionEngine&lt;Prompt, Generation&gt;(lm);
    /// </code>
    /// </example>
    public static CharLanguageModelEstimator TrainCharLanguageModel(this TransformsCatalog.TextTransforms catalog,
        string outputColumnName, string? inputColumnName = null, int hiddenSize = 128, int layers = 2,
        RecurrentCell cell = RecurrentCell.Lstm, int maxLength = CharLanguageModelEstimator.Options.DefaultMaxLength,
        float temperature = CharLanguageModelEstimator.Options.DefaultTemperature, double epochs = 10, int? seed = null,
        string? seedColumnName = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hiddenSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(layers);
        if (!(epochs > 0) || double.IsInfinity(epochs))
        {
            throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "Epochs must be a finite positive number.");
        }

        var options = new CharLanguageModelEstimator.Options
        {
            TrainingOptions = new CharLanguageModelOptions
            {
                Cell = cell,
                HiddenSize = hiddenSize,
                Layers = layers,
                MaxEpochs = epochs,
                Seed = seed,
            },
            MaxLength = maxLength,
            Temperature = temperature,
            Seed = seed ?? 0,
            SeedColumnName = seedColumnName,
        };
        return TrainCharLanguageModel(catalog, outputColumnName, inputColumnName, options);
    }

    /// <summary>
    /// Creates a <see cref="CharLanguageModelEstimator"/> with full control over training
    /// (<see cref="CharLanguageModelEstimator.Options.TrainingOptions"/>), generation and progress reporting.
    /// </summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="outputColumnName">Name of the generated text column.</param>
    /// <param name="inputColumnName">Name of the text column to train on and read prompts from; null means
    /// <paramref name="outputColumnName"/>.</param>
    /// <param name="options">Training, generation and progress options.</param>
    public static CharLanguageModelEstimator TrainCharLanguageModel(this TransformsCatalog.TextTransforms catalog,
        string outputColumnName, string? inputColumnName, CharLanguageModelEstimator.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new CharLanguageModelEstimator(MLNetLog.TryGetEnvironment(catalog), outputColumnName, inputColumnName, options);
    }
}
