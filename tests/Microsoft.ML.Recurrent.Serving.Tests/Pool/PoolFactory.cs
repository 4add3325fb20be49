using Microsoft.Extensions.Options;
using Microsoft.ML.Recurrent.Serving.Tests.Fixtures;
using TextGenerationWeb;

namespace Microsoft.ML.Recurrent.Serving.Tests.Pool;

/// <summary>A sentiment pool over one model source (a file unless told), built without a host so the tests see its logs.</summary>
internal sealed class PoolFactory : IDisposable
{
    public const string Name = "sentiment";

    public PoolFactory(string path, bool watch = false)
        : this(() => new FileModelSource(path, watch))
    {
    }

    public PoolFactory(Func<ModelSource> source)
    {
        var options = new PredictionEnginePoolOptions<SentimentInput, SentimentPrediction>();
        options.Models[Name] = () =>
        {
            Interlocked.Increment(ref _sourcesMade);
            return source();
        };
        Pool = new PredictionEnginePool<SentimentInput, SentimentPrediction>(Options.Create(options), Log);
    }

    private int _sourcesMade;

    public int SourcesMade => Volatile.Read(ref _sourcesMade);

    public ListLogger<PredictionEnginePool<SentimentInput, SentimentPrediction>> Log { get; } = new();

    public PredictionEnginePool<SentimentInput, SentimentPrediction> Pool { get; }

    /// <summary>Model A calls "great movie" positive; model B (flipped labels) calls it negative.</summary>
    public bool SaysGreatIsPositive() => Pool.Predict(Name, new SentimentInput { Text = "great movie" }).PredictedLabel;

    public void Dispose() => Pool.Dispose();
}
