using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.ML.Recurrent.Serving.Tests.Fixtures;
using TextGenerationWeb;

namespace Microsoft.ML.Recurrent.Serving.Tests.Browser;

/// <summary>The sample on Kestrel at a free 127.0.0.1 port (a real socket, which a browser needs), serving tiny model A.</summary>
internal sealed class LoopbackSample : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackSample(WebApplication app) => _app = app;

    public Uri Address => new(_app.Urls.Single());

    public static async Task<LoopbackSample> StartAsync()
    {
        string contentRoot = typeof(LoopbackSample).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "SampleContentRoot").Value!;
        var app = TextGenerationApp.Build([
            "--urls=http://127.0.0.1:0",
            $"--contentRoot={Path.GetFullPath(contentRoot)}",
            $"--TextGeneration:ModelPath={TinyModels.LanguageModelA}",
            "--TextGeneration:TrainDefaultModelSeconds=0",
            "--Logging:LogLevel:Default=Warning",
        ]);
        await app.StartAsync();
        return new LoopbackSample(app);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
