using Microsoft.ML.Recurrent;

namespace Microsoft.ML;

/// <summary>Image captioning in ML.NET's text transforms catalog.</summary>
public static class CaptionerCatalog
{
    /// <summary>
    /// Trains an image captioner: image features (e.g. from <c>DnnFeaturizeImage</c> with ResNet18) condition a
    /// recurrent word model trained on the caption column; the fitted transformer writes a caption per row.
    /// </summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="outputColumnName">Column that receives the generated caption.</param>
    /// <param name="featuresColumnName">Known-size vector-of-Single column of image features.</param>
    /// <param name="captionColumnName">Reference caption column: text, or a vector of texts for several captions per image.</param>
    /// <param name="cell">Recurrent cell.</param>
    /// <param name="hiddenSize">Hidden units per layer.</param>
    /// <param name="epochs">Passes over the (image, caption) pairs.</param>
    /// <param name="decoding">Greedy, sampling (at temperature 1 from the seed) or beam search (width 3); the pipeline runs and saves it as an ONNX decoder.</param>
    /// <param name="seed">Seed of initialisation, shuffling and sampling; null takes one from the MLContext's seed.</param>
    public static CaptionerEstimator TrainCaptioner(this TransformsCatalog.TextTransforms catalog, string outputColumnName,
        string featuresColumnName, string captionColumnName, RecurrentCell cell = RecurrentCell.Lstm, int hiddenSize = 128,
        int epochs = 20, CaptionDecoding decoding = CaptionDecoding.Greedy, int? seed = null)
        => TrainCaptioner(catalog, outputColumnName, featuresColumnName, captionColumnName, new CaptionerOptions
        {
            Cell = cell,
            HiddenSize = hiddenSize,
            MaxEpochs = epochs,
            Decoding = decoding,
            Seed = seed,
        });

    /// <summary>Trains an image captioner with every setting given by <paramref name="options"/>.</summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="outputColumnName">Column that receives the generated caption.</param>
    /// <param name="featuresColumnName">Known-size vector-of-Single column of image features.</param>
    /// <param name="captionColumnName">Reference caption column: text, or a vector of texts for several captions per image.</param>
    /// <param name="options">Architecture, training and decoding settings.</param>
    public static CaptionerEstimator TrainCaptioner(this TransformsCatalog.TextTransforms catalog, string outputColumnName,
        string featuresColumnName, string captionColumnName, CaptionerOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new CaptionerEstimator(MLNetLog.TryGetEnvironment(catalog), outputColumnName, featuresColumnName, captionColumnName, options);
    }
}
