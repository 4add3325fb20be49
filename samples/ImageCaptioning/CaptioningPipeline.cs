using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent;

namespace ImageCaptioning;

/// <summary>ML.NET's image stack and ResNet18 featurizer followed by the captioner, as one estimator chain.</summary>
public static class CaptioningPipeline
{
    public static EstimatorChain<CaptionerTransformer> Create(MLContext ml, CaptionerOptions options)
        => ml.Transforms.LoadImages("Image", imageFolder: null, "ImagePath")
            .Append(ml.Transforms.ResizeImages("Image", 224, 224))
            .Append(ml.Transforms.ExtractPixels("Pixels", "Image"))
            .Append(ml.Transforms.DnnFeaturizeImage("Features", m => m.ModelSelector.ResNet18(ml, m.OutputColumn, m.InputColumn), "Pixels"))
            .Append(ml.Transforms.Text.TrainCaptioner("Caption", "Features", "Captions", options));

    public static IDataView Load(MLContext ml, IEnumerable<CaptionedImage> images)
        => ml.Data.LoadFromEnumerable(images.Select(i => new ImageRow { ImagePath = i.ImagePath, Captions = [.. i.Captions] }));
}
