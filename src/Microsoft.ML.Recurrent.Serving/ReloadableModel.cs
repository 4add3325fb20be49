using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace Microsoft.ML.Recurrent.Serving;

/// <summary>One loaded model and its version.</summary>
internal sealed record Loaded<T>(T Value, ModelVersion Version);

/// <summary>
/// A named model read from a <see cref="ModelSource"/>: loaded on first use, reloaded when the source says it
/// changed or on demand, and kept as it is when a reload fails. Each replaced value is handed to
/// <c>retire</c> once, so its owner can dispose it when nothing uses it any more.
/// </summary>
internal sealed class ReloadableModel<T> : IDisposable where T : class
{
    private readonly string _name;
    private readonly ModelSource _source;
    private readonly Func<byte[], T> _load;
    private readonly Action<T> _retire;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
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

    /// <summary>The model now served, loading it first if this is the first use.</summary>
    public Loaded<T> Current => _current ?? LoadFirst();

    private Loaded<T> LoadFirst()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_current is { } loaded) return loaded;
            // No previous model to fall back on: a failure here goes to the caller, and the next call retries.
            loaded = Load(_source.Read(CancellationToken.None), generation: 1);
            _current = loaded;
            _logger.LogInformation("Loaded model '{Name}' from {Source} (sha256 {Hash}).", _name, _source.Description, loaded.Version.Sha256);
            _watch = _source.Watch(ReloadFromWatcher);
            return loaded;
        }
    }

    /// <summary>
    /// Reads the source again and, if its bytes changed, loads and serves the new model. A failure is logged
    /// and the previous model stays; the returned version says which model is served afterwards.
    /// </summary>
    public ModelVersion Reload(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_disposed) return _current?.Version ?? throw new ObjectDisposedException(GetType().Name);
            if (_current is not { } previous) return LoadFirstLocked();
            try
            {
                var snapshot = _source.Read(cancellationToken);
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
    }

    // Runs on a timer or file-watcher thread, where an exception would end the process.
    private void ReloadFromWatcher()
    {
        try
        {
            Reload(CancellationToken.None);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Reloading model '{Name}' from {Source} failed.", _name, _source.Description);
        }
    }

    // Reload() before any use is simply the first load (the gate is re-entrant).
    private ModelVersion LoadFirstLocked() => LoadFirst().Version;

    private Loaded<T> Load(ModelSnapshot snapshot, int generation)
    {
        var value = _load(snapshot.Bytes);
        var version = new ModelVersion(_name, generation, Hash(snapshot.Bytes), snapshot.Bytes.LongLength, _source.Description,
            snapshot.Modified, DateTimeOffset.UtcNow);
        return new Loaded<T>(value, version);
    }

    private static string Hash(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            _watch?.Dispose();
            _source.Dispose();
            if (_current is { } loaded) _retire(loaded.Value);
        }
    }
}
