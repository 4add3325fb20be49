using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace Microsoft.ML.Recurrent.Serving;

/// <summary>One loaded model and its version.</summary>
internal sealed record Loaded<T>(T Value, ModelVersion Version);

/// <summary>
/// A named model read from a <see cref="ModelSource"/>: loaded on first use, reloaded when the source says it
/// changed or on demand, and kept as it is when a reload fails. Each replaced value is handed to
/// <c>retire</c> once, so its owner can dispose it when nothing uses it any more. Reads are asynchronous and
/// serialized by a gate that <see cref="Current"/> never takes once a model is loaded, so a reload in flight
/// never blocks the callers of <see cref="Current"/>.
/// </summary>
internal sealed class ReloadableModel<T> : IDisposable where T : class
{
    private readonly string _name;
    private readonly ModelSource _source;
    private readonly Func<byte[], T> _load;
    private readonly Action<T> _retire;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile Loaded<T>? _current;
    private IDisposable? _watch;
    private bool _disposed;

    public ReloadableModel(string name, ModelSource source, Func<byte[], T> load, Action<T> retire, ILogger logger)
    {
        _name = name;
        _source = source;
        _load = load;
        _retire = retire;
        _logger = logger;
    }

    /// <summary>
    /// The model now served. The first use waits for the first load (there is nothing to serve before it), within
    /// the source's own bounds; every later one returns at once.
    /// </summary>
    public Loaded<T> Current => _current ?? LoadFirstAsync().GetAwaiter().GetResult();

    private async Task<Loaded<T>> LoadFirstAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            return _current ?? await LoadFirstLockedAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    // No previous model to fall back on: a failure here goes to the caller, and the next call retries.
    private async Task<Loaded<T>> LoadFirstLockedAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var loaded = Load(await _source.ReadAsync(cancellationToken).ConfigureAwait(false), generation: 1);
        _current = loaded;
        _logger.LogInformation("Loaded model '{Name}' from {Source} (sha256 {Hash}).", _name, _source.Description, loaded.Version.Sha256);
        Volatile.Write(ref _watch, _source.Watch(ReloadFromWatcherAsync));
        return loaded;
    }

    /// <summary>
    /// Reads the source again and, if its bytes changed, loads and serves the new model. A failure is logged
    /// and the previous model stays; the returned version says which model is served afterwards.
    /// </summary>
    public async Task<ModelVersion> ReloadAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_disposed) return _current?.Version ?? throw new ObjectDisposedException(GetType().Name);
            if (_current is not { } previous) return (await LoadFirstLockedAsync(cancellationToken).ConfigureAwait(false)).Version;
            try
            {
                var snapshot = await _source.ReadAsync(cancellationToken).ConfigureAwait(false);
                if (Hash(snapshot.Bytes) == previous.Version.Sha256) return previous.Version;
                var next = Load(snapshot, previous.Version.Generation + 1);
                _current = next;
                _logger.LogInformation("Reloaded model '{Name}' from {Source}: generation {Generation}, sha256 {Hash}.",
                    _name, _source.Description, next.Version.Generation, next.Version.Sha256);
                _retire(previous.Value);
                return next.Version;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                _logger.LogWarning(e, "Reloading model '{Name}' from {Source} failed; still serving generation {Generation} (sha256 {Hash}): {Reason}",
                    _name, _source.Description, previous.Version.Generation, previous.Version.Sha256, e.Message);
                return previous.Version;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    // Runs on a background task, where nobody would see an exception.
    private async Task ReloadFromWatcherAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ReloadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The watch was stopped while reloading.
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Reloading model '{Name}' from {Source} failed.", _name, _source.Description);
        }
    }

    private Loaded<T> Load(ModelSnapshot snapshot, int generation)
    {
        T value;
        try
        {
            value = _load(snapshot.Bytes);
        }
        catch (Exception e)
        {
            // Whatever the loader says (zip, protobuf or format errors), the cause is the same: these bytes are no model.
            throw new InvalidDataException($"The {snapshot.Bytes.LongLength} bytes read from {_source.Description} are refused as a corrupt or truncated model: {e.Message}", e);
        }
        var version = new ModelVersion(_name, generation, Hash(snapshot.Bytes), snapshot.Bytes.LongLength, _source.Description,
            snapshot.Modified, DateTimeOffset.UtcNow);
        return new Loaded<T>(value, version);
    }

    private static string Hash(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public void Dispose()
    {
        // Stop the watch and the source first: that cancels a fetch in flight (a first load's too), which holds the
        // gate until it ends. Disposing a source twice is harmless.
        Interlocked.Exchange(ref _watch, null)?.Dispose();
        _source.Dispose();
        _gate.Wait();
        try
        {
            if (_disposed) return;
            _disposed = true;
            // A first load that finished while this waited for the gate started a watch of its own.
            Interlocked.Exchange(ref _watch, null)?.Dispose();
            if (_current is { } loaded) _retire(loaded.Value);
        }
        finally
        {
            _gate.Release();
        }
    }
}
