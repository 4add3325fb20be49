using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.ML.Recurrent.Serving;

/// <summary>
/// Thread-safe access to named ML.NET models, each with a pool of <see cref="PredictionEngine{TSrc, TDst}"/>s
/// (which are not thread-safe themselves). A model is loaded on first use and reloaded when its source changes
/// or on <see cref="Reload"/>; requests in flight finish on the model they started with, and each replaced model
/// and its engines are disposed once the last of its engines is returned. A reload that fails keeps serving the
/// previous model.
/// </summary>
/// <typeparam name="TIn">The input class (its properties are the model's input columns).</typeparam>
/// <typeparam name="TOut">The output class (its properties are read from the model's output columns).</typeparam>
public sealed class PredictionEnginePool<TIn, TOut> : IDisposable
    where TIn : class
    where TOut : class, new()
{
    private readonly PredictionEnginePoolOptions<TIn, TOut> _options;
    private readonly ILogger _logger;
    private readonly MLContext _context = new();
    private readonly ConcurrentDictionary<string, Lazy<ReloadableModel<EngineGeneration<TIn, TOut>>>> _models = new(StringComparer.Ordinal);
    // Which generation an engine came from, so that it goes back there (and not to a newer one).
    private readonly ConditionalWeakTable<PredictionEngine<TIn, TOut>, EngineGeneration<TIn, TOut>> _origins = [];

    /// <summary>Creates the pool (normally done by dependency injection; see <see cref="ServingServiceCollectionExtensions.AddPredictionEnginePool{TIn, TOut}"/>).</summary>
    public PredictionEnginePool(IOptions<PredictionEnginePoolOptions<TIn, TOut>> options, ILogger<PredictionEnginePool<TIn, TOut>> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>The names of the models this pool serves.</summary>
    public IReadOnlyCollection<string> ModelNames => [.. _options.Models.Keys];

    /// <summary>Runs one prediction with a pooled engine of <paramref name="modelName"/>.</summary>
    public TOut Predict(string modelName, TIn example)
    {
        var engine = GetPredictionEngine(modelName);
        try
        {
            return engine.Predict(example);
        }
        finally
        {
            ReturnPredictionEngine(modelName, engine);
        }
    }

    /// <summary>
    /// Rents an engine of the model now served as <paramref name="modelName"/> (loading it on first use). Give it
    /// back with <see cref="ReturnPredictionEngine"/>, and use it from one thread at a time meanwhile.
    /// </summary>
    public PredictionEngine<TIn, TOut> GetPredictionEngine(string modelName)
    {
        var model = Model(modelName);
        // Bounded: a rent fails only when a reload closed that generation in between, and each reload needs new bytes.
        for (int attempt = 0; attempt < 100; attempt++)
        {
            var generation = model.Current.Value;
            if (generation.Rent() is { } engine)
            {
                _origins.AddOrUpdate(engine, generation);
                return engine;
            }
        }
        throw new InvalidOperationException($"Model '{modelName}' kept being replaced while an engine was requested.");
    }

    /// <summary>Gives back an engine from <see cref="GetPredictionEngine"/>, to the model generation it came from.</summary>
    public void ReturnPredictionEngine(string modelName, PredictionEngine<TIn, TOut> engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        if (!_origins.TryGetValue(engine, out var generation))
        {
            throw new ArgumentException($"This engine was not rented from the pool of model '{modelName}', or was already returned.", nameof(engine));
        }
        _origins.Remove(engine);
        generation.Return(engine);
    }

    /// <summary>The model now served as <paramref name="modelName"/>, loading it first if needed.</summary>
    public ITransformer GetModel(string modelName) => Model(modelName).Current.Value.Model;

    /// <summary>Which model is served as <paramref name="modelName"/> (loading it first if needed).</summary>
    public ModelVersion GetModelVersion(string modelName) => Model(modelName).Current.Version;

    /// <summary>
    /// Reads <paramref name="modelName"/>'s source again now and serves it if it changed. On failure the reason is
    /// logged and the previous model stays; the result says which model is served. Predictions meanwhile keep
    /// using the model now served.
    /// </summary>
    public Task<ModelVersion> ReloadAsync(string modelName, CancellationToken cancellationToken = default)
        => Model(modelName).ReloadAsync(cancellationToken);

    /// <summary>
    /// <see cref="ReloadAsync"/>, waiting on the calling thread until it is done (for tools and tests; a request
    /// handler should await <see cref="ReloadAsync"/> instead).
    /// </summary>
    public ModelVersion Reload(string modelName, CancellationToken cancellationToken = default)
        => ReloadAsync(modelName, cancellationToken).GetAwaiter().GetResult();

    /// <summary>The generation now served (tests look at its lifetime).</summary>
    internal EngineGeneration<TIn, TOut> CurrentGeneration(string modelName) => Model(modelName).Current.Value;

    private ReloadableModel<EngineGeneration<TIn, TOut>> Model(string modelName)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        if (!_options.Models.TryGetValue(modelName, out var source))
        {
            throw new ArgumentException($"No model is registered as '{modelName}' (registered: {string.Join(", ", _options.Models.Keys)}).", nameof(modelName));
        }
        return _models.GetOrAdd(modelName, name => new(() => new ReloadableModel<EngineGeneration<TIn, TOut>>(name, source(),
            bytes => new EngineGeneration<TIn, TOut>(_context, _context.Model.Load(new MemoryStream(bytes), out _), _options.MaximumEnginesRetained),
            generation => generation.Retire(), _logger))).Value;
    }

    /// <summary>Stops watching the sources and disposes every model once its engines are back.</summary>
    public void Dispose()
    {
        foreach (var model in _models.Values.Where(m => m.IsValueCreated))
        {
            model.Value.Dispose();
        }
    }
}
