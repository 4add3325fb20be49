using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent;

namespace ImageCaptioning;

/// <summary>ML.NET's image stack and ResNet18 featurizer followed by the captioner, as one estimator chain.</summary>
public static class CaptioningPipeline
{
    /// <param name="ml">The context.</param>
    /// <param name="options">The captioner's settings.</param>
    /// <param name="resNetModels">A ResNet18 model folder from <see cref="ImageFeaturizerModels.WriteResNet18WithColumnPooling"/>
    /// (features pooled in vertical strips, so the captioner knows which object is where), or null for ResNet18's own
    /// globally pooled features.</param>
    public static EstimatorChain<CaptionerTransformer> Create(MLContext ml, CaptionerOptions options, string? resNetModels)
        => ml.Transforms.LoadImages("Image", imageFolder: null, "ImagePath")
            .Append(ml.Transforms.ResizeImages("Image", 224, 224))
            .Append(ml.Transforms.ExtractPixels("Pixels", "Image"))
            .Append(ml.Transforms.DnnFeaturizeImage("Features", m => resNetModels is null
                ? m.ModelSelector.ResNet18(ml, m.OutputColumn, m.InputColumn)
                : m.ModelSelector.ResNet18(ml, m.OutputColumn, m.InputColumn, resNetModels), "Pixels"))
            .Append(ml.Transforms.Text.TrainCaptioner("Caption", "Features", "Captions", options));

    public static IDataView Load(MLContext ml, IEnumerable<CaptionedImage> images)
        => ml.Data.LoadFromEnumerable(images.Select(i => new ImageRow { ImagePath = i.ImagePath, Captions = [.. i.Captions] }));
}
