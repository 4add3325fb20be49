using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.ML.Recurrent.Serving.Tests.Fixtures;
using TextGenerationWeb;
using Xunit;

namespace Microsoft.ML.Recurrent.Serving.Tests.Pool;

/// <summary>
/// FromUri against a model server on a loopback port: periodic refresh on a background task, each fetch bounded by
/// a timeout and a size limit, and every failure keeps the model served and says why.
/// </summary>
public sealed class UriModelSourceTests
{
    private static readonly TimeSpan s_period = TimeSpan.FromMilliseconds(100);

    [Fact]
    public async Task The_pool_refetches_the_model_every_period_and_keeps_it_when_the_server_fails()
    {
        await using var server = await LoopbackModelServer.StartAsync(LoopbackModelServer.Serve(File.ReadAllBytes(TinyModels.SentimentA)));
        var log = new ListLogger<PredictionEnginePool<SentimentInput, SentimentPrediction>>();
        var services = new ServiceCollection();
        services.AddSingleton<ILogger<PredictionEnginePool<SentimentInput, SentimentPrediction>>>(log);
        services.AddPredictionEnginePool<SentimentInput, SentimentPrediction>().FromUri("m", server.Uri, s_period);
        await using var provider = services.BuildServiceProvider();
        var pool = provider.GetRequiredService<PredictionEnginePool<SentimentInput, SentimentPrediction>>();
        var input = new SentimentInput { Text = "great movie" };
        Assert.True(pool.Predict("m", input).PredictedLabel);
        Assert.Equal(server.Uri.ToString(), pool.GetModelVersion("m").Source);

        server.Respond = LoopbackModelServer.Serve(File.ReadAllBytes(TinyModels.SentimentB));
        Eventually.True(() => pool.GetModelVersion("m").Generation == 2, "the periodic fetch to load the new model");
        Assert.False(pool.Predict("m", input).PredictedLabel);

        // Counted, not timed: the pool must have seen a failed fetch and said so, and still serve generation 2.
        int failures = 0;
        server.Respond = context =>
        {
            Interlocked.Increment(ref failures);
            return Results.StatusCode(500).ExecuteAsync(context);
        };
        Eventually.True(() => log.Entries.Any(e => e.Level == LogLevel.Warning && e.Message.Contains("still serving generation 2", StringComparison.Ordinal)
            && e.Message.Contains("500", StringComparison.Ordinal)), "the failed fetch to be logged with its status");
        Eventually.True(() => Volatile.Read(ref failures) >= 2, "a second failed fetch");
        Assert.Equal(2, pool.GetModelVersion("m").Generation);
        Assert.False(pool.Predict("m", input).PredictedLabel);
    }

    [Theory]
    [InlineData(false)] // no answer at all
    [InlineData(true)] // the headers and half the body, then nothing: the timeout covers the body too
    public async Task A_fetch_slower_than_the_timeout_fails_and_the_previous_model_keeps_serving(bool headersFirst)
    {
        await using var server = await LoopbackModelServer.StartAsync(LoopbackModelServer.Serve(File.ReadAllBytes(TinyModels.SentimentA)));
        using var pool = Pool(server, new UriModelSourceOptions { Timeout = TimeSpan.FromSeconds(3) }); // the first fetch must beat it under load
        Assert.True(pool.SaysGreatIsPositive());

        byte[] b = File.ReadAllBytes(TinyModels.SentimentB);
        server.Respond = !headersFirst ? LoopbackModelServer.Stall : async context =>
        {
            context.Response.ContentLength = b.Length;
            await context.Response.Body.WriteAsync(b.AsMemory(0, b.Length / 2));
            await context.Response.Body.FlushAsync();
            await LoopbackModelServer.Stall(context);
        };
        AwaitWarning(pool, server, "longer than the timeout of 3 s");
        Assert.Equal(1, pool.Pool.GetModelVersion(PoolFactory.Name).Generation);
        Assert.True(pool.SaysGreatIsPositive());
    }

    [Fact]
    public async Task A_truncated_model_is_refused_as_corrupt_and_the_previous_model_keeps_serving()
    {
        await using var server = await LoopbackModelServer.StartAsync(LoopbackModelServer.Serve(File.ReadAllBytes(TinyModels.SentimentA)));
        using var pool = Pool(server, new UriModelSourceOptions());
        Assert.True(pool.SaysGreatIsPositive());

        byte[] b = File.ReadAllBytes(TinyModels.SentimentB);
        server.Respond = LoopbackModelServer.Serve(b[..(b.Length / 2)]);
        AwaitWarning(pool, server, "refused as a corrupt or truncated model");
        Assert.Equal(1, pool.Pool.GetModelVersion(PoolFactory.Name).Generation);
        Assert.True(pool.SaysGreatIsPositive());
    }

    [Theory]
    [InlineData(true)] // refused on its Content-Length alone: the body never comes, so reading it would time out
    [InlineData(false)] // chunked, then nothing: refused once past the limit, not at the (never reached) end
    public async Task A_model_larger_than_the_limit_is_refused_and_the_previous_model_keeps_serving(bool contentLength)
    {
        byte[] a = File.ReadAllBytes(TinyModels.SentimentA);
        long limit = a.Length + 1000;
        await using var server = await LoopbackModelServer.StartAsync(LoopbackModelServer.Serve(a));
        // A timeout far beyond the wait below, so that only the limit can end these fetches in time.
        using var pool = Pool(server, new UriModelSourceOptions { MaxModelBytes = limit, Timeout = TimeSpan.FromSeconds(60) });
        Assert.True(pool.SaysGreatIsPositive());

        server.Respond = async context =>
        {
            if (contentLength) context.Response.ContentLength = 2 * limit;
            else await context.Response.Body.WriteAsync(new byte[limit + 1]);
            // Sends the headers (and the body so far) now rather than when the response ends.
            await context.Response.Body.FlushAsync();
            await LoopbackModelServer.Stall(context);
        };
        AwaitWarning(pool, server, $"larger than the size limit of {limit} bytes");
        Assert.Equal(1, pool.Pool.GetModelVersion(PoolFactory.Name).Generation);
        Assert.True(pool.SaysGreatIsPositive());
    }

    [Fact]
    public async Task A_refresh_in_flight_does_not_block_predictions()
    {
        await using var server = await LoopbackModelServer.StartAsync(LoopbackModelServer.Serve(File.ReadAllBytes(TinyModels.SentimentA)));
        using var pool = Pool(server, new UriModelSourceOptions { Timeout = TimeSpan.FromSeconds(30) });
        Assert.True(pool.SaysGreatIsPositive());

        int stalled = 0;
        server.Respond = context =>
        {
            Interlocked.Increment(ref stalled);
            return LoopbackModelServer.Stall(context);
        };
        Eventually.True(() => Volatile.Read(ref stalled) >= 1, "a refresh to reach the stalled server");
        // That fetch ends only at its 30 s timeout (with a warning): a Predict that waited for it would return after it.
        Assert.True(pool.SaysGreatIsPositive());
        Assert.Equal(1, pool.Pool.GetModelVersion(PoolFactory.Name).Generation);
        Assert.DoesNotContain(pool.Log.Entries, e => e.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task The_first_load_is_bounded_by_the_same_timeout_and_limit()
    {
        byte[] a = File.ReadAllBytes(TinyModels.SentimentA);
        await using var server = await LoopbackModelServer.StartAsync(LoopbackModelServer.Stall);
        // 3 s rather than 1: the second fetch below must beat the timeout to reach the size check, and at 1 s this test
        // failed once in a full 2-core run under load.
        using var pool = Pool(server, new UriModelSourceOptions { Timeout = TimeSpan.FromSeconds(3), MaxModelBytes = a.Length - 1 });
        // Bounded here too (its TimeoutException says something else), so that a fetch without a timeout fails this test.
        var first = await Assert.ThrowsAsync<TimeoutException>(() => Task.Run(pool.SaysGreatIsPositive).WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("longer than the timeout of 3 s", first.Message);

        // With nothing served yet, each use tries again.
        server.Respond = LoopbackModelServer.Serve(a);
        Assert.Contains($"larger than the size limit of {a.Length - 1} bytes", Assert.Throws<InvalidDataException>(() => pool.SaysGreatIsPositive()).Message);
    }

    [Fact]
    public void The_options_default_to_100_s_and_1_GiB_and_refuse_what_is_not_positive()
    {
        var options = new UriModelSourceOptions();
        Assert.Equal(TimeSpan.FromSeconds(100), options.Timeout);
        Assert.Equal(1L << 30, options.MaxModelBytes);
        foreach (var timeout in new[] { TimeSpan.Zero, TimeSpan.FromSeconds(-1), Timeout.InfiniteTimeSpan, TimeSpan.FromDays(30) })
        {
            Assert.Equal(nameof(UriModelSourceOptions.Timeout), Assert.Throws<ArgumentOutOfRangeException>(() => options.Timeout = timeout).ParamName);
        }
        foreach (long limit in new[] { 0, -1, Array.MaxLength + 1L })
        {
            Assert.Equal(nameof(UriModelSourceOptions.MaxModelBytes), Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxModelBytes = limit).ParamName);
        }
        Assert.Equal(TimeSpan.FromSeconds(100), options.Timeout);
        Assert.Equal(1L << 30, options.MaxModelBytes);
    }

    private static PoolFactory Pool(LoopbackModelServer server, UriModelSourceOptions options)
        => new(() => new UriModelSource(server.Uri, s_period, options));

    // Waits for the warning of a failed refresh: it names the source and the reason, and that generation 1 stays.
    private static void AwaitWarning(PoolFactory pool, LoopbackModelServer server, string reason)
    {
        try
        {
            Eventually.True(() => pool.Log.Entries.Any(e => e.Level == LogLevel.Warning
                && e.Message.Contains(server.Uri.ToString(), StringComparison.Ordinal)
                && e.Message.Contains("still serving generation 1", StringComparison.Ordinal)
                && e.Message.Contains(reason, StringComparison.Ordinal)), $"a warning that a refresh failed: {reason}");
        }
        catch (TimeoutException e)
        {
            // Say what was logged instead, which is what tells one failure from another.
            throw new TimeoutException($"{e.Message} Logged: {string.Join(" | ", pool.Log.Entries.Select(x => $"{x.Level}: {x.Message}"))}", e);
        }
    }
}
