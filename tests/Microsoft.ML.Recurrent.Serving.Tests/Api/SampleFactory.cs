using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.ML.Recurrent.Serving.Tests.Fixtures;

namespace Microsoft.ML.Recurrent.Serving.Tests.Api;

/// <summary>The sample app in memory, serving a private copy of tiny model A (so tests may replace it).</summary>
internal sealed class SampleFactory : WebApplicationFactory<Program>
{
    private readonly TempFolder _folder = new();
    private readonly string? _sentimentPath;

    public SampleFactory(bool withSentiment = false)
    {
        ModelPath = _folder.File("lm.zip");
        File.Copy(TinyModels.LanguageModelA, ModelPath);
        _sentimentPath = withSentiment ? TinyModels.SentimentA : null;
    }

    public string ModelPath { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("TextGeneration:ModelPath", ModelPath);
        builder.UseSetting("TextGeneration:TrainDefaultModelSeconds", "0");
        builder.UseSetting("Sentiment:ModelPath", _sentimentPath ?? "");
        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) _folder.Dispose();
    }
}
