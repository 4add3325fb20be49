using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.ML.Recurrent.Serving;

/// <summary>Registers the serving services.</summary>
public static class ServingServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="PredictionEnginePool{TIn, TOut}"/>; name its models with
    /// <see cref="PredictionEnginePoolBuilder{TIn, TOut}.FromFile"/> or <see cref="PredictionEnginePoolBuilder{TIn, TOut}.FromUri"/>.
    /// </summary>
    public static PredictionEnginePoolBuilder<TIn, TOut> AddPredictionEnginePool<TIn, TOut>(this IServiceCollection services)
        where TIn : class
        where TOut : class, new()
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions();
        services.AddLogging();
        services.TryAddSingleton<PredictionEnginePool<TIn, TOut>>();
        return new PredictionEnginePoolBuilder<TIn, TOut>(services);
    }

    /// <summary>
    /// Registers a singleton <see cref="TextGenerator"/>; say where its model is with
    /// <see cref="TextGeneratorBuilder.FromFile"/> or <see cref="TextGeneratorBuilder.FromUri"/>.
    /// </summary>
    public static TextGeneratorBuilder AddTextGenerator(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions();
        services.AddLogging();
        services.TryAddSingleton<TextGenerator>();
        return new TextGeneratorBuilder(services);
    }
}
