using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.ML.Recurrent.Serving.Tests.Fixtures;
using TextGenerationWeb;
using Xunit;

namespace Microsoft.ML.Recurrent.Serving.Tests.Pool;

/// <summary>FromUri against a model server on a loopback port: periodic refresh, and failures keep the model.</summary>
public sealed class UriModelSourceTests
{
    [Fact]
    public async Task The_pool_refetches_the_model_every_period_and_keeps_it_when_the_server_fails()
    {
        byte[]? served = File.ReadAllBytes(TinyModels.SentimentA);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        await using var server = builder.Build();
        int failures = 0;
        server.MapGet("/model.zip", () =>
        {
            if (Volatile.Read(ref served) is { } bytes) return Results.Bytes(bytes, "application/zip");
            Interlocked.Increment(ref failures);
            return Results.StatusCode(500);
        });
        await server.StartAsync();
        var uri = new Uri(new Uri(server.Urls.Single()), "/model.zip");

        var log = new ListLogger<PredictionEnginePool<SentimentInput, SentimentPrediction>>();
        var services = new ServiceCollection();
        services.AddSingleton<ILogger<PredictionEnginePool<SentimentInput, SentimentPrediction>>>(log);
        services.AddPredictionEnginePool<SentimentInput, SentimentPrediction>().FromUri("m", uri, TimeSpan.FromMilliseconds(100));
        await using var provider = services.BuildServiceProvider();
        var pool = provider.GetRequiredService<PredictionEnginePool<SentimentInput, SentimentPrediction>>();
        var input = new SentimentInput { Text = "great movie" };
        Assert.True(pool.Predict("m", input).PredictedLabel);
        Assert.Equal(uri.ToString(), pool.GetModelVersion("m").Source);

        Volatile.Write(ref served, File.ReadAllBytes(TinyModels.SentimentB));
        Eventually.True(() => pool.GetModelVersion("m").Generation == 2, "the periodic fetch to load the new model");
        Assert.False(pool.Predict("m", input).PredictedLabel);

        // Counted, not timed: the pool must have seen a failed fetch and said so, and still serve generation 2.
        Volatile.Write(ref served, null);
        Eventually.True(() => log.Entries.Any(e => e.Level == LogLevel.Warning && e.Message.Contains("still serving generation 2", StringComparison.Ordinal)),
            "the failed fetch to be logged");
        Eventually.True(() => Volatile.Read(ref failures) >= 2, "a second failed fetch");
        Assert.Equal(2, pool.GetModelVersion("m").Generation);
        Assert.False(pool.Predict("m", input).PredictedLabel);
    }
}
