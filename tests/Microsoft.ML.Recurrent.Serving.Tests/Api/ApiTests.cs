using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.ML.Recurrent.Serving.Tests.Fixtures;
using TextGenerationWeb;
using Xunit;

namespace Microsoft.ML.Recurrent.Serving.Tests.Api;

/// <summary>The sample's endpoints through WebApplicationFactory.</summary>
public sealed class ApiTests
{
    [Fact]
    public async Task Generate_returns_the_models_text_for_the_seed()
    {
        using var factory = new SampleFactory();
        using var client = factory.CreateClient();
        var response = await client.PostAsJsonAsync("/api/generate", new GenerateRequest("the cat", 80, 0.8f, 4));
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<GenerateResponse>();
        Assert.Equal(TinyModels.ModelA.Generate("the cat", 80, 0.8f, 4), body!.Text);
        Assert.Equal(1, body.ModelGeneration);
    }

    [Fact]
    public async Task The_stream_sends_each_character_as_an_event_then_done()
    {
        using var factory = new SampleFactory();
        using var client = factory.CreateClient();
        var response = await client.GetAsync("/api/generate/stream?prompt=the%20&maxLength=30&temperature=1&seed=2");
        response.EnsureSuccessStatusCode();
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        string[] events = (await response.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("event: done\n", events[^1]);
        string text = string.Concat(events[..^1].Select(e => JsonSerializer.Deserialize<string>(e["data: ".Length..])));
        Assert.Equal(30, events.Length - 1);
        Assert.Equal(TinyModels.ModelA.Generate("the ", 30, 1f, 2), text);
    }

    [Theory]
    [InlineData(2001, 0.8f, 10, "maxLength")]
    [InlineData(0, 0.8f, 10, "maxLength")]
    [InlineData(10, 2.5f, 10, "temperature")]
    [InlineData(10, -1f, 10, "temperature")]
    [InlineData(10, 0.8f, 1001, "prompt")]
    public async Task Out_of_limit_requests_get_400_with_problem_details(int maxLength, float temperature, int promptLength, string field)
    {
        using var factory = new SampleFactory();
        using var client = factory.CreateClient();
        var request = new GenerateRequest(new string('a', promptLength), maxLength, temperature);
        foreach (var response in new[]
        {
            await client.PostAsJsonAsync("/api/generate", request),
            await client.GetAsync($"/api/generate/stream?prompt={request.Prompt}&maxLength={maxLength}&temperature={temperature}"),
        })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        }
    }

    [Fact]
    public async Task Health_reports_the_served_model_version()
    {
        using var factory = new SampleFactory();
        using var client = factory.CreateClient();
        var health = await client.GetFromJsonAsync<JsonElement>("/health");
        Assert.Equal("healthy", health.GetProperty("status").GetString());
        Assert.Equal(64, health.GetProperty("textModel").GetProperty("sha256").GetString()!.Length);
    }

    [Fact]
    public async Task Sentiment_is_served_only_when_a_model_is_configured()
    {
        using (var without = new SampleFactory())
        using (var client = without.CreateClient())
        {
            Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsJsonAsync("/api/sentiment", new SentimentRequest("great movie"))).StatusCode);
        }
        using var factory = new SampleFactory(withSentiment: true);
        using var sentiment = factory.CreateClient();
        var good = await (await sentiment.PostAsJsonAsync("/api/sentiment", new SentimentRequest("great movie"))).Content.ReadFromJsonAsync<SentimentResponse>();
        var bad = await (await sentiment.PostAsJsonAsync("/api/sentiment", new SentimentRequest("awful boring mess"))).Content.ReadFromJsonAsync<SentimentResponse>();
        Assert.True(good!.Positive);
        Assert.False(bad!.Positive);
        Assert.True(good.Probability > bad.Probability);
        Assert.Equal(HttpStatusCode.BadRequest, (await sentiment.PostAsJsonAsync("/api/sentiment", new SentimentRequest(""))).StatusCode);
    }

    [Fact]
    public async Task The_page_is_served()
    {
        using var factory = new SampleFactory();
        using var client = factory.CreateClient();
        string page = await client.GetStringAsync("/");
        Assert.Contains("<script src=\"app.js\">", page);
        Assert.Contains("EventSource", await client.GetStringAsync("/app.js"));
    }
}
