using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.ML.Recurrent.Serving;

namespace TextGenerationWeb;

/// <summary>POST /api/generate (whole text as JSON) and GET /api/generate/stream (server-sent events).</summary>
public static class GenerationEndpoints
{
    /// <summary>Maps both endpoints.</summary>
    public static void MapGenerationEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/generate", Generate);
        app.MapGet("/api/generate/stream", Stream);
    }

    private static Results<Ok<GenerateResponse>, ValidationProblem> Generate(GenerateRequest request, TextGenerator generator, IOptions<ServingSettings> limits)
    {
        var errors = request.Validate(limits.Value);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        var result = generator.Generate(request.Prompt ?? "", request.MaxLength, request.Temperature, request.Seed);
        return TypedResults.Ok(new GenerateResponse(result.Text, result.Model.Sha256, result.Model.Generation));
    }

    /// <summary>
    /// Streams each character as an SSE "data" line holding a JSON string (so newlines survive the framing), then a
    /// "done" event naming the model. A client that disconnects cancels the generation.
    /// </summary>
    private static async Task<IResult> Stream(HttpContext context, TextGenerator generator, IOptions<ServingSettings> limits,
        string? prompt, int? maxLength, float? temperature, int? seed)
    {
        var request = new GenerateRequest(prompt, maxLength ?? 200, temperature ?? 0.8f, seed ?? 0);
        var errors = request.Validate(limits.Value);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var version = generator.Version;
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        var cancel = context.RequestAborted;
        await foreach (string character in generator.GenerateStreamAsync(request.Prompt ?? "", request.MaxLength, request.Temperature, request.Seed, cancel))
        {
            await response.WriteAsync($"data: {JsonSerializer.Serialize(character)}\n\n", cancel);
            await response.Body.FlushAsync(cancel);
        }
        await response.WriteAsync($"event: done\ndata: {JsonSerializer.Serialize(new { modelSha256 = version.Sha256, modelGeneration = version.Generation })}\n\n", cancel);
        return Results.Empty;
    }
}
