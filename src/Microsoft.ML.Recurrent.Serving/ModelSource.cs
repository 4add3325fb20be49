namespace Microsoft.ML.Recurrent.Serving;

/// <summary>
/// Where a served model comes from. Models are always read whole into memory and then loaded, so a
/// source that changes while being loaded can never produce a half-old, half-new model.
/// </summary>
public abstract class ModelSource : IDisposable
{
    /// <summary>A description for logs and <see cref="ModelVersion.Source"/> (a path or URI).</summary>
    public abstract string Description { get; }

    /// <summary>Reads the model's bytes now, without holding a thread while it waits for I/O.</summary>
    public abstract Task<ModelSnapshot> ReadAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Starts calling <paramref name="changed"/> on a background thread whenever the model may have changed (the
    /// callee compares hashes, so spurious calls are harmless). A source that polls awaits the returned task before
    /// it polls again, and cancels the token it passed when the watch is disposed. Returns null when this source
    /// never changes by itself.
    /// </summary>
    public virtual IDisposable? Watch(Func<CancellationToken, Task> changed) => null;

    /// <summary>Releases what the source holds (watchers, HTTP clients).</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases what the source holds when <paramref name="disposing"/>.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }
}
