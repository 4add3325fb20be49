namespace Microsoft.ML.Recurrent.Serving;

/// <summary>The models a <see cref="PredictionEnginePool{TIn, TOut}"/> serves, by name.</summary>
public sealed class PredictionEnginePoolOptions<TIn, TOut>
    where TIn : class
    where TOut : class, new()
{
    /// <summary>For each model name, how to make its source (called on the model's first use).</summary>
    public IDictionary<string, Func<ModelSource>> Models { get; } = new Dictionary<string, Func<ModelSource>>(StringComparer.Ordinal);

    /// <summary>Idle engines kept per model generation; more are made under load and dropped when returned.</summary>
    public int MaximumEnginesRetained { get; set; } = Environment.ProcessorCount * 2;
}
