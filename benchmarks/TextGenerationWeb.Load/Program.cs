// Load benchmark for POST /api/generate: N concurrent clients on loopback for a fixed time; prints requests per
// second and p50/p99 latency. Hosts the sample in this process (Kestrel on 127.0.0.1) unless --url names a running one.
//   dotnet run --project benchmarks/TextGenerationWeb.Load -c Release -- [--clients 32] [--seconds 20] [--length 200] [--url http://127.0.0.1:5000]
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using TextGenerationWeb;

var options = LoadOptions.Parse(args);
WebApplication? app = null;
Uri target;
if (options.Url is { } url)
{
    target = url;
}
else
{
    string contentRoot = Path.GetFullPath(typeof(LoadOptions).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "SampleContentRoot").Value!);
    app = TextGenerationApp.Build(["--urls=http://127.0.0.1:0", $"--contentRoot={contentRoot}", "--Logging:LogLevel:Default=Warning"]);
    await app.StartAsync();
    target = new Uri(app.Urls.Single());
}

using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = options.Clients }) { BaseAddress = target };
Console.WriteLine($"POST {target}api/generate, {options.Length} characters, {options.Clients} clients, {options.Seconds} s (after a 3 s warm-up), {Environment.ProcessorCount} cores");

await Run(TimeSpan.FromSeconds(3));
var clock = Stopwatch.StartNew();
var latencies = await Run(TimeSpan.FromSeconds(options.Seconds));
double elapsed = clock.Elapsed.TotalSeconds;
latencies.Sort();
var inv = CultureInfo.InvariantCulture;
Console.WriteLine(string.Format(inv, "{0} requests, 0 errors: {1:F0} requests/s, p50 {2:F1} ms, p99 {3:F1} ms",
    latencies.Count, latencies.Count / elapsed, Percentile(0.50), Percentile(0.99)));
if (app is not null) await app.DisposeAsync();

double Percentile(double p) => latencies[Math.Min(latencies.Count - 1, (int)(p * latencies.Count))];

// Every client sends requests back to back until the time is up; any failed request ends the run with an error.
async Task<List<double>> Run(TimeSpan duration)
{
    var end = DateTime.UtcNow + duration;
    var perClient = await Task.WhenAll(Enumerable.Range(0, options.Clients).Select(client => Task.Run(async () =>
    {
        var mine = new List<double>();
        for (int i = 0; DateTime.UtcNow < end; i++)
        {
            long start = Stopwatch.GetTimestamp();
            var response = await http.PostAsJsonAsync("/api/generate", new GenerateRequest("public ", options.Length, 0.8f, client * 100_000 + i));
            response.EnsureSuccessStatusCode();
            await response.Content.ReadAsByteArrayAsync();
            mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        return mine;
    })));
    return [.. perClient.SelectMany(l => l)];
}

/// <summary>The command line.</summary>
internal sealed record LoadOptions(int Clients, int Seconds, int Length, Uri? Url)
{
    public static LoadOptions Parse(string[] args)
    {
        var o = new LoadOptions(32, 20, 200, null);
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            o = args[i] switch
            {
                "--clients" => o with { Clients = int.Parse(args[i + 1], CultureInfo.InvariantCulture) },
                "--seconds" => o with { Seconds = int.Parse(args[i + 1], CultureInfo.InvariantCulture) },
                "--length" => o with { Length = int.Parse(args[i + 1], CultureInfo.InvariantCulture) },
                "--url" => o with { Url = new Uri(args[i + 1]) },
                _ => throw new ArgumentException($"Unknown option {args[i]} (--clients, --seconds, --length, --url)."),
            };
        }
        return o;
    }
}
