using Microsoft.ML;

namespace Sentiment;

/// <summary>Loads the saved zip with plain <c>mlContext.Model.Load</c> and predicts one sentence.</summary>
internal static class ConsumeModel
{
    public static SentimentPrediction Predict(string modelPath, string sentence)
    {
        var ml = new MLContext();
        var model = ml.Model.Load(modelPath, out _);
        var engine = ml.Model.CreatePredictionEngine<SentimentInput, SentimentPrediction>(model);
        return engine.Predict(new SentimentInput { Text = sentence });
    }
}
