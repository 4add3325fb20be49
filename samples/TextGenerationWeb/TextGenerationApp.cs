using Microsoft.Extensions.Options;
using Microsoft.ML.Recurrent.Serving;

namespace TextGenerationWeb;

/// <summary>Builds the web app: services, the default model on first start, endpoints and the static page.</summary>
public static class TextGenerationApp
{
    /// <summary>The configured app, not yet started.</summary>
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        // Settings are bound lazily (options), so test hosts and later configuration sources can override them.
        builder.Services.Configure<ServingSettings>(builder.Configuration.GetSection("TextGeneration"));
        builder.Services.AddProblemDetails();
        builder.Services.AddTextGenerator();
        builder.Services.AddOptions<TextGeneratorOptions>().Configure<IOptions<ServingSettings>, IHostEnvironment>((o, settings, env) =>
            o.Source = () => new FileModelSource(ModelPath(settings.Value.ModelPath, env), watchForChanges: true));
        builder.Services.AddPredictionEnginePool<SentimentInput, SentimentPrediction>();
        builder.Services.AddOptions<PredictionEnginePoolOptions<SentimentInput, SentimentPrediction>>().Configure<IConfiguration, IHostEnvironment>((o, config, env) =>
        {
            if (SentimentEndpoints.ConfiguredPath(config) is { } path)
                o.Models[SentimentEndpoints.ModelName] = () => new FileModelSource(ModelPath(path, env), watchForChanges: true);
        });

        var app = builder.Build();
        var settings = app.Services.GetRequiredService<IOptions<ServingSettings>>().Value;
        DefaultModel.EnsureExists(ModelPath(settings.ModelPath, app.Environment), settings.TrainDefaultModelSeconds, app.Logger);

        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.MapGenerationEndpoints();
        if (SentimentEndpoints.ConfiguredPath(app.Configuration) is not null) app.MapSentimentEndpoints();
        app.MapHealthEndpoint();
        return app;
    }

    private static string ModelPath(string path, IHostEnvironment env) => Path.GetFullPath(path, env.ContentRootPath);
}
