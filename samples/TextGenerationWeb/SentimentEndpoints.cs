using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Serving;

namespace TextGenerationWeb;

/// <summary>The input of any ML.NET binary text classifier zip: one Text column.</summary>
public sealed class SentimentInput
{
    /// <summary>The text to classify.</summary>
    public string Text { get; set; } = "";
}

/// <summary>The outputs every ML.NET binary classifier writes.</summary>
public sealed class SentimentPrediction
{
    /// <summary>The predicted class (true = positive).</summary>
    public bool PredictedLabel { get; set; }

    /// <summary>Calibrated probability of the positive class.</summary>
    public float Probability { get; set; }

    /// <summary>The raw score.</summary>
    public float Score { get; set; }
}

/// <summary>The request body of POST /api/sentiment.</summary>
/// <param name="Text">The text to classify.</param>
public sealed record SentimentRequest(string? Text);

/// <summary>The answer of POST /api/sentiment.</summary>
public sealed record SentimentResponse(bool Positive, float Probability, float Score, string ModelSha256);

/// <summary>POST /api/sentiment, mapped only when "Sentiment:ModelPath" names a binary classifier zip.</summary>
public static class SentimentEndpoints
{
    /// <summary>The model's name in the prediction engine pool.</summary>
    public const string ModelName = "sentiment";

    /// <summary>The configured sentiment model path, or null when none is configured.</summary>
    public static string? ConfiguredPath(IConfiguration config)
        => config["Sentiment:ModelPath"] is { Length: > 0 } path ? path : null;

    /// <summary>Maps the endpoint.</summary>
    public static void MapSentimentEndpoints(this IEndpointRouteBuilder app) => app.MapPost("/api/sentiment", Classify);

    private static Results<Ok<SentimentResponse>, ValidationProblem> Classify(SentimentRequest request,
        PredictionEnginePool<SentimentInput, SentimentPrediction> pool, Microsoft.Extensions.Options.IOptions<ServingSettings> limits)
    {
        if (string.IsNullOrEmpty(request.Text) || request.Text.Length > limits.Value.MaxPromptLength)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["text"] = [$"text must have between 1 and {limits.Value.MaxPromptLength} characters."],
            });
        }
        var prediction = pool.Predict(ModelName, new SentimentInput { Text = request.Text });
        return TypedResults.Ok(new SentimentResponse(prediction.PredictedLabel, prediction.Probability, prediction.Score,
            pool.GetModelVersion(ModelName).Sha256));
    }
}
