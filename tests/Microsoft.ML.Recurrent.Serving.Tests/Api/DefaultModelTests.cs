using Microsoft.Extensions.Logging;
using Microsoft.ML.Recurrent.Serving.Tests.Fixtures;
using TextGenerationWeb;
using Xunit;

namespace Microsoft.ML.Recurrent.Serving.Tests.Api;

/// <summary>A fresh clone has no model: the sample trains one on its embedded corpus, says so, and serves it.</summary>
public sealed class DefaultModelTests
{
    [Fact]
    public void Without_a_model_a_small_one_is_trained_saved_as_a_zip_and_logged()
    {
        using var folder = new TempFolder();
        string path = folder.File("models/textgen.zip");
        var log = new ListLogger<DefaultModelTests>();
        DefaultModel.EnsureExists(path, seconds: 1, log);
        Assert.True(File.Exists(path));
        Assert.Contains(log.Entries, e => e.Level == LogLevel.Information && e.Message.StartsWith($"No model at {path}: training a small default model"));

        var model = CharLanguageModel.LoadOnnx(path);
        Assert.Equal(200, model.Generate("public ", 200, 0.8f, 1).EnumerateRunes().Count());
        int logged = log.Entries.Count;
        DefaultModel.EnsureExists(path, seconds: 1, log); // an existing model is left alone
        Assert.Equal(logged, log.Entries.Count);
    }

    [Fact]
    public void With_training_off_a_missing_model_is_an_error()
    {
        using var folder = new TempFolder();
        Assert.Throws<FileNotFoundException>(() => DefaultModel.EnsureExists(folder.File("none.zip"), seconds: 0, new ListLogger<DefaultModelTests>()));
    }
}
