using Microsoft.ML;

namespace FashionMnist;

/// <summary>Loads the saved zip with plain <c>mlContext.Model.Load</c> in a new MLContext and predicts images one by one.</summary>
internal static class ConsumeModel
{
    public static FashionPrediction[] Predict(string modelPath, IEnumerable<FashionImage> images)
    {
        var ml = new MLContext();
        var model = ml.Model.Load(modelPath, out _);
        var engine = ml.Model.CreatePredictionEngine<FashionImage, FashionPrediction>(model);
        return [.. images.Select(engine.Predict)];
    }
}
