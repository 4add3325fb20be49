using Microsoft.Extensions.DependencyInjection;
using Microsoft.ML.Recurrent.Serving.Tests.Fixtures;
using Xunit;

namespace Microsoft.ML.Recurrent.Serving.Tests.Pool;

/// <summary>Streaming generation: same text as the model, per-request state and seed, cancellation, both file kinds.</summary>
public sealed class TextGeneratorTests
{
    private static TextGenerator Generator(string path, out ServiceProvider provider)
    {
        var services = new ServiceCollection();
        services.AddTextGenerator().FromFile(path, watchForChanges: false);
        provider = services.BuildServiceProvider();
        return provider.GetRequiredService<TextGenerator>();
    }

    [Fact]
    public async Task The_stream_gives_the_models_own_text_and_the_same_as_Generate()
    {
        var generator = Generator(TinyModels.LanguageModelA, out var provider);
        using var _ = provider;
        string streamed = string.Concat(await generator.GenerateStreamAsync("the ", 60, 0.9f, 5).ToListAsync());
        Assert.Equal(TinyModels.ModelA.Generate("the ", 60, 0.9f, 5), streamed);
        Assert.Equal(streamed, generator.Generate("the ", 60, 0.9f, 5).Text);
        Assert.NotEqual(streamed, generator.Generate("the ", 60, 0.9f, 6).Text);
    }

    [Fact]
    public void An_rnnlm_file_serves_the_same_model_as_the_zip()
    {
        using var folder = new TempFolder();
        string rnnlm = folder.File("a.rnnlm");
        TinyModels.ModelA.Save(rnnlm);
        var generator = Generator(rnnlm, out var provider);
        using var _ = provider;
        Assert.Equal(TinyModels.ModelA.Generate("a cat", 50, 0.7f, 3), generator.Generate("a cat", 50, 0.7f, 3).Text);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void An_onnx_file_serves_the_same_model_as_the_zip(bool generatorGraph)
    {
        using var folder = new TempFolder();
        string onnx = folder.File("a.onnx");
        using (var stream = File.Create(onnx))
        {
            if (generatorGraph) TinyModels.ModelA.ExportGeneratorToOnnx(stream, maxLength: 30);
            else TinyModels.ModelA.ExportToOnnx(stream);
        }
        var generator = Generator(onnx, out var provider);
        using var _ = provider;
        Assert.Equal(TinyModels.ModelA.Generate("a cat", 50, 0.7f, 3), generator.Generate("a cat", 50, 0.7f, 3).Text);
    }

    [Fact]
    public async Task A_stream_started_before_a_reload_finishes_on_the_model_it_started_with()
    {
        using var folder = new TempFolder();
        string path = folder.File("lm.zip");
        File.Copy(TinyModels.LanguageModelA, path);
        var generator = Generator(path, out var provider);
        using var _ = provider;
        var before = generator.Version;

        await using var stream = generator.GenerateStreamAsync("the ", 80, 1f, 4).GetAsyncEnumerator();
        var text = new System.Text.StringBuilder();
        for (int i = 0; i < 10 && await stream.MoveNextAsync(); i++) text.Append(stream.Current);
        TempFolder.ReplaceAtomically(TinyModels.LanguageModelB, path);
        var after = generator.Reload();
        while (await stream.MoveNextAsync()) text.Append(stream.Current);

        Assert.Equal(before.Generation + 1, after.Generation);
        Assert.NotEqual(before.Sha256, after.Sha256);
        Assert.Equal(TinyModels.ModelA.Generate("the ", 80, 1f, 4), text.ToString());
        Assert.Equal(TinyModels.ModelB.Generate("the ", 80, 1f, 4), generator.Generate("the ", 80, 1f, 4).Text);
        Assert.NotEqual(TinyModels.ModelA.Generate("the ", 80, 1f, 4), TinyModels.ModelB.Generate("the ", 80, 1f, 4));
    }

    [Fact]
    public void Prompt_characters_the_model_never_saw_are_skipped()
    {
        var generator = Generator(TinyModels.LanguageModelA, out var provider);
        using var _ = provider;
        Assert.Equal(TinyModels.ModelA.Generate("the cat", 40, 0.5f, 1), generator.Generate("thé 😀cat", 40, 0.5f, 1).Text);
    }

    [Fact]
    public async Task Cancelling_stops_the_stream()
    {
        var generator = Generator(TinyModels.LanguageModelA, out var provider);
        using var _ = provider;
        using var cancel = new CancellationTokenSource();
        int received = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in generator.GenerateStreamAsync("the", 10_000, 1f, 0, cancel.Token))
            {
                if (++received == 10) await cancel.CancelAsync();
            }
        });
        Assert.Equal(10, received);
    }

    [Fact]
    public async Task Concurrent_streams_never_share_state()
    {
        var generator = Generator(TinyModels.LanguageModelA, out var provider);
        using var _ = provider;
        var expected = Enumerable.Range(0, 16).Select(seed => TinyModels.ModelA.Generate("a ", 200, 1f, seed)).ToArray();
        var streams = Enumerable.Range(0, 64).Select(async i =>
            (Seed: i % 16, Text: string.Concat(await generator.GenerateStreamAsync("a ", 200, 1f, i % 16).ToListAsync())));
        foreach (var (seed, text) in await Task.WhenAll(streams))
        {
            Assert.Equal(expected[seed], text);
        }
    }
}
