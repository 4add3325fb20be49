namespace TextGenerationWeb;

/// <summary>A generation request (JSON body of POST /api/generate, query of GET /api/generate/stream).</summary>
/// <param name="Prompt">The text to continue.</param>
/// <param name="MaxLength">Characters to generate.</param>
/// <param name="Temperature">Sampling temperature; 0 is greedy.</param>
/// <param name="Seed">Same seed, same text.</param>
public sealed record GenerateRequest(string? Prompt, int MaxLength = 200, float Temperature = 0.8f, int Seed = 0)
{
    /// <summary>What is wrong with the request under <paramref name="limits"/>, by field; empty when it is valid.</summary>
    public Dictionary<string, string[]> Validate(ServingSettings limits)
    {
        var errors = new Dictionary<string, string[]>();
        if ((Prompt?.Length ?? 0) > limits.MaxPromptLength)
            errors["prompt"] = [$"The prompt is longer than {limits.MaxPromptLength} characters."];
        if (MaxLength < 1 || MaxLength > limits.MaxLength)
            errors["maxLength"] = [$"maxLength must be between 1 and {limits.MaxLength}."];
        if (!(Temperature >= 0 && Temperature <= limits.MaxTemperature))
            errors["temperature"] = [$"temperature must be between 0 and {limits.MaxTemperature}."];
        return errors;
    }
}

/// <summary>The answer of POST /api/generate.</summary>
/// <param name="Text">The generated continuation.</param>
/// <param name="ModelSha256">Hash of the model that generated it.</param>
/// <param name="ModelGeneration">Which load of that model name it was.</param>
public sealed record GenerateResponse(string Text, string ModelSha256, int ModelGeneration);
