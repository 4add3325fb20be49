using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Microsoft.ML.Recurrent.Serving.Tests.Fixtures;

/// <summary>
/// A model server on a loopback port (never another address) whose answer the test changes as it goes: every
/// request to <see cref="Uri"/> is answered by the current <see cref="Respond"/>.
/// </summary>
internal sealed class LoopbackModelServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private volatile Func<HttpContext, Task> _respond;

    private LoopbackModelServer(WebApplication app, Func<HttpContext, Task> respond)
    {
        _app = app;
        _respond = respond;
    }

    /// <summary>The model's address.</summary>
    public Uri Uri { get; private set; } = null!;

    /// <summary>How the next requests are answered.</summary>
    public Func<HttpContext, Task> Respond
    {
        get => _respond;
        set => _respond = value;
    }

    public static async Task<LoopbackModelServer> StartAsync(Func<HttpContext, Task> respond)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var server = new LoopbackModelServer(builder.Build(), respond);
        server._app.MapGet("/model.zip", context => server._respond(context));
        await server._app.StartAsync();
        server.Uri = new Uri(new Uri(server._app.Urls.Single()), "/model.zip");
        return server;
    }

    /// <summary>Answers with <paramref name="bytes"/> and their Content-Length.</summary>
    public static Func<HttpContext, Task> Serve(byte[] bytes) => context => Results.Bytes(bytes, "application/zip").ExecuteAsync(context);

    /// <summary>Answers only once the client gives up (its timeout, or the test's end).</summary>
    public static Task Stall(HttpContext context) => Task.Delay(Timeout.Infinite, context.RequestAborted);

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
