using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.ML.Recurrent.Serving;

/// <summary>Adds named models to the <see cref="PredictionEnginePool{TIn, TOut}"/> being registered.</summary>
public sealed class PredictionEnginePoolBuilder<TIn, TOut>
    where TIn : class
    where TOut : class, new()
{
    internal PredictionEnginePoolBuilder(IServiceCollection services) => Services = services;

    /// <summary>The service collection the pool is registered in.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Serves the ML.NET model zip at <paramref name="path"/> as <paramref name="modelName"/>.</summary>
    /// <param name="modelName">The name to ask the pool for.</param>
    /// <param name="path">The model file (written by <c>mlContext.Model.Save</c>).</param>
    /// <param name="watchForChanges">Reload the model when the file changes (replace it atomically: write elsewhere, then rename).</param>
    public PredictionEnginePoolBuilder<TIn, TOut> FromFile(string modelName, string path, bool watchForChanges = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return FromSource(modelName, () => new FileModelSource(path, watchForChanges));
    }

    /// <summary>
    /// Serves the ML.NET model zip at <paramref name="uri"/> as <paramref name="modelName"/>, fetched on first use and
    /// again every <paramref name="period"/> on a background task; a fetch that fails keeps the model served.
    /// </summary>
    /// <param name="modelName">The name to ask the pool for.</param>
    /// <param name="uri">Where the model is served.</param>
    /// <param name="period">How often to fetch it again; <see cref="Timeout.InfiniteTimeSpan"/> for never.</param>
    /// <param name="options">The timeout and size limit of each fetch; null for the defaults (100 s, 1 GiB).</param>
    public PredictionEnginePoolBuilder<TIn, TOut> FromUri(string modelName, Uri uri, TimeSpan period, UriModelSourceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(uri);
        return FromSource(modelName, () => new UriModelSource(uri, period, options));
    }

    /// <summary>Serves the model a custom <see cref="ModelSource"/> reads as <paramref name="modelName"/>.</summary>
    public PredictionEnginePoolBuilder<TIn, TOut> FromSource(string modelName, Func<ModelSource> source)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        ArgumentNullException.ThrowIfNull(source);
        Services.Configure<PredictionEnginePoolOptions<TIn, TOut>>(o => o.Models[modelName] = source);
        return this;
    }
}
