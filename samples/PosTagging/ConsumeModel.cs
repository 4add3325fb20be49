using Microsoft.ML;

namespace PosTagging;

/// <summary>Loads the saved pipeline (plain ML.NET: nothing to register) and tags sentences with a prediction engine.</summary>
public static class ConsumeModel
{
    public static IEnumerable<(string Token, string Tag)[]> Tag(string modelPath, IEnumerable<string> sentences)
    {
        var ml = new MLContext();
        var model = ml.Model.Load(modelPath, out _);
        var engine = ml.Model.CreatePredictionEngine<SentenceRow, TaggedRow>(model);
        foreach (var sentence in sentences)
        {
            string[] tokens = sentence.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var tags = engine.Predict(new SentenceRow { Tokens = tokens }).PredictedTags;
            yield return [.. tokens.Zip(tags)];
        }
    }
}
