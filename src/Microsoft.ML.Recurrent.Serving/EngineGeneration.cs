using Microsoft.Extensions.ObjectPool;

namespace Microsoft.ML.Recurrent.Serving;

/// <summary>
/// One loaded ML.NET model and the pool of prediction engines made from it. Engines always come back to the
/// generation they were made from (never to a newer one, where they would keep serving the old model). A
/// retired generation is disposed — model and pooled engines — as soon as its last engine is back.
/// </summary>
internal sealed class EngineGeneration<TIn, TOut> : IDisposable
    where TIn : class
    where TOut : class, new()
{
    private readonly ObjectPool<PredictionEngine<TIn, TOut>> _engines;
    // Engines out now; int.MinValue once closed (retired with none out), after which Rent fails.
    private int _outstanding;
    private int _retired;
    private int _disposed;

    public EngineGeneration(MLContext context, ITransformer model, int maximumRetained)
    {
        Model = model;
        // The provider makes a pool that disposes engines it drops, and engines returned after it is disposed.
        _engines = new DefaultObjectPoolProvider { MaximumRetained = maximumRetained }
            .Create(new EnginePolicy(() => context.Model.CreatePredictionEngine<TIn, TOut>(model)));
    }

    public ITransformer Model { get; }

    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>An engine of this generation, or null when it has been closed meanwhile (ask the newer one).</summary>
    public PredictionEngine<TIn, TOut>? Rent()
        => Interlocked.Increment(ref _outstanding) > 0 ? _engines.Get() : null;

    public void Return(PredictionEngine<TIn, TOut> engine)
    {
        _engines.Return(engine);
        if (Interlocked.Decrement(ref _outstanding) == 0 && Volatile.Read(ref _retired) != 0) TryClose();
    }

    /// <summary>No new requests come here; dispose once the engines out now are back.</summary>
    public void Retire()
    {
        Volatile.Write(ref _retired, 1);
        TryClose();
    }

    // Closing is one atomic step from "none out" so that a Rent racing with it either wins (and delays the
    // disposal until its engine is back) or fails; it never gets an engine of a disposed model.
    private void TryClose()
    {
        if (Interlocked.CompareExchange(ref _outstanding, int.MinValue, 0) == 0) Dispose();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        (_engines as IDisposable)?.Dispose();
        (Model as IDisposable)?.Dispose();
    }

    private sealed class EnginePolicy(Func<PredictionEngine<TIn, TOut>> create) : PooledObjectPolicy<PredictionEngine<TIn, TOut>>
    {
        public override PredictionEngine<TIn, TOut> Create() => create();

        public override bool Return(PredictionEngine<TIn, TOut> obj) => true;
    }
}
