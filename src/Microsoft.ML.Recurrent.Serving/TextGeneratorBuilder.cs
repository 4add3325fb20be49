using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.ML.Recurrent.Serving;

/// <summary>Says where the <see cref="TextGenerator"/> being registered reads its language model.</summary>
public sealed class TextGeneratorBuilder
{
    internal TextGeneratorBuilder(IServiceCollection services) => Services = services;

    /// <summary>The service collection the generator is registered in.</summary>
    public IServiceCollection Services { get; }

    /// <summary>
    /// Serves the language model in <paramref name="path"/>: an ML.NET zip holding a <c>CharLanguageModelTransformer</c>,
    /// an .onnx export or an .rnnlm file.
    /// </summary>
    /// <param name="path">The model file.</param>
    /// <param name="watchForChanges">Reload the model when the file changes (replace it atomically: write elsewhere, then rename).</param>
    public TextGeneratorBuilder FromFile(string path, bool watchForChanges = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return FromSource(() => new FileModelSource(path, watchForChanges));
    }

    /// <summary>
    /// Serves the language model at <paramref name="uri"/>, fetched on first use and again every
    /// <paramref name="period"/> on a background task; a fetch that fails keeps the model served.
    /// </summary>
    /// <param name="uri">Where the model is served.</param>
    /// <param name="period">How often to fetch it again; <see cref="Timeout.InfiniteTimeSpan"/> for never.</param>
    /// <param name="options">The timeout and size limit of each fetch; null for the defaults (100 s, 1 GiB).</param>
    public TextGeneratorBuilder FromUri(Uri uri, TimeSpan period, UriModelSourceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(uri);
        return FromSource(() => new UriModelSource(uri, period, options));
    }

    /// <summary>Serves the language model a custom <see cref="ModelSource"/> reads.</summary>
    public TextGeneratorBuilder FromSource(Func<ModelSource> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        Services.Configure<TextGeneratorOptions>(o => o.Source = source);
        return this;
    }
}
