using Microsoft.ML.Recurrent.Serving;

namespace TextGenerationWeb;

/// <summary>GET /health: whether the language model loads, and which version is served.</summary>
public static class HealthEndpoint
{
    /// <summary>Maps the endpoint.</summary>
    public static void MapHealthEndpoint(this IEndpointRouteBuilder app) => app.MapGet("/health", (TextGenerator generator) =>
    {
        try
        {
            return Results.Ok(new { status = "healthy", textModel = generator.Version });
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return Results.Json(new { status = "unhealthy", reason = e.Message }, statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    });
}
