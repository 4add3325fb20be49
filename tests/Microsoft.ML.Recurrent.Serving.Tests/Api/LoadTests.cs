using System.Collections.Concurrent;
using System.Net.Http.Json;
using Microsoft.ML.Recurrent.Serving.Tests.Fixtures;
using TextGenerationWeb;
using Xunit;

namespace Microsoft.ML.Recurrent.Serving.Tests.Api;

/// <summary>Many clients at once: no errors, no cross-talk between requests, and hot reload without failures.</summary>
public sealed class LoadTests
{
    private const int Clients = 32;
    private const int MaxLength = 40;
    private const int MaxRequestsPerClient = 2000;
    private static readonly string[] s_prompts = ["the ", "a cat", "", "dog"];

    private static GenerateRequest RequestFor(int client, int i)
        => new(s_prompts[(client + i) % s_prompts.Length], MaxLength, 1f, Seed: (client * 7 + i) % 8);

    [Fact]
    public async Task Thirty_two_clients_send_5120_requests_without_errors_or_cross_talk()
    {
        using var factory = new SampleFactory();
        var expected = new ConcurrentDictionary<GenerateRequest, string>();
        int done = 0;
        await Task.WhenAll(Enumerable.Range(0, Clients).Select(client => Task.Run(async () =>
        {
            using var http = factory.CreateClient();
            for (int i = 0; i < 160; i++)
            {
                var request = RequestFor(client, i);
                var response = await http.PostAsJsonAsync("/api/generate", request);
                response.EnsureSuccessStatusCode();
                string text = (await response.Content.ReadFromJsonAsync<GenerateResponse>())!.Text;
                string want = expected.GetOrAdd(request, r => TinyModels.ModelA.Generate(r.Prompt!, r.MaxLength, r.Temperature, r.Seed));
                Assert.Equal(want, text);
                Interlocked.Increment(ref done);
            }
        })));
        Assert.Equal(5120, done);
        Assert.True(expected.Values.Distinct().Count() > 8, "the requests should give many different texts");
    }

    [Fact]
    public async Task Replacing_the_model_file_under_load_switches_models_without_failed_requests()
    {
        using var factory = new SampleFactory();
        string hashA = (await factory.CreateClient().PostAsJsonAsync("/api/generate", RequestFor(0, 0))).EnsureSuccessStatusCode() is var first
            ? (await first.Content.ReadFromJsonAsync<GenerateResponse>())!.ModelSha256 : "";
        // Counted, not timed: the swap comes after 500 requests, and each client stops after 20 answers from model B
        // (or fails after MaxRequestsPerClient), so a slow machine only makes the test take longer.
        var swapDue = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int requests = 0, sawB = 0;
        string? hashB = null;

        var clients = Enumerable.Range(0, Clients).Select(client => Task.Run(async () =>
        {
            using var http = factory.CreateClient();
            bool switched = false;
            for (int i = 0, afterSwitch = 0; afterSwitch < 20; i++)
            {
                if (i == MaxRequestsPerClient) Assert.Fail($"client {client} never saw the new model in {MaxRequestsPerClient} requests");
                var request = RequestFor(client, i);
                var response = await http.PostAsJsonAsync("/api/generate", request);
                response.EnsureSuccessStatusCode();
                var body = (await response.Content.ReadFromJsonAsync<GenerateResponse>())!;
                if (Interlocked.Increment(ref requests) == 500) swapDue.TrySetResult();
                bool isB = body.ModelSha256 != hashA;
                // Once a client has seen the new model, it never gets the old one again.
                Assert.False(switched && !isB, "a request went back to the old model");
                var model = isB ? TinyModels.ModelB : TinyModels.ModelA;
                Assert.Equal(model.Generate(request.Prompt!, request.MaxLength, request.Temperature, request.Seed), body.Text);
                if (isB)
                {
                    hashB = body.ModelSha256;
                    if (!switched) Interlocked.Increment(ref sawB);
                    switched = true;
                    afterSwitch++;
                }
            }
        })).ToArray();

        var all = Task.WhenAll(clients);
        if (await Task.WhenAny(swapDue.Task, all) != swapDue.Task) await all; // a client failed before the swap: report it
        TempFolder.ReplaceAtomically(TinyModels.LanguageModelB, factory.ModelPath);
        await all;
        Assert.Equal(Clients, sawB);
        Assert.NotEqual(hashA, hashB);
    }
}
