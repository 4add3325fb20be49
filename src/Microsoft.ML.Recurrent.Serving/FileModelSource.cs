namespace Microsoft.ML.Recurrent.Serving;

/// <summary>A model file on disk, optionally watched so that replacing it reloads the model.</summary>
public sealed class FileModelSource : ModelSource
{
    // Writers often touch a file several times (create, write, rename); wait for them to settle.
    private static readonly TimeSpan s_settle = TimeSpan.FromMilliseconds(250);
    private readonly bool _watch;

    /// <summary>Reads the model at <paramref name="path"/>; with <paramref name="watchForChanges"/>, reloads it when the file changes.</summary>
    public FileModelSource(string path, bool watchForChanges)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
        _watch = watchForChanges;
    }

    /// <summary>The model file's full path.</summary>
    public string Path { get; }

    /// <inheritdoc/>
    public override string Description => Path;

    /// <inheritdoc/>
    public override async Task<ModelSnapshot> ReadAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(Path)) throw new FileNotFoundException($"The model file '{Path}' does not exist.", Path);
        return new ModelSnapshot(await File.ReadAllBytesAsync(Path, cancellationToken).ConfigureAwait(false), File.GetLastWriteTimeUtc(Path));
    }

    /// <inheritdoc/>
    public override IDisposable? Watch(Func<CancellationToken, Task> changed)
    {
        if (!_watch) return null;
        return new Watcher(Path, changed);
    }

    /// <summary>A watcher on the file's folder (so atomic renames onto the file are seen) with a settle delay.</summary>
    private sealed class Watcher : IDisposable
    {
        private readonly FileSystemWatcher _watcher;
        private readonly Timer _settle;

        public Watcher(string path, Func<CancellationToken, Task> changed)
        {
            // Not awaited: the callee logs its own failures, and a change seen meanwhile re-arms the settle timer.
            _settle = new Timer(_ => _ = changed(CancellationToken.None));
            _watcher = new FileSystemWatcher(System.IO.Path.GetDirectoryName(path)!, System.IO.Path.GetFileName(path))
            {
                NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            _watcher.Changed += (_, _) => Poke();
            _watcher.Created += (_, _) => Poke();
            _watcher.Renamed += (_, _) => Poke();
            _watcher.EnableRaisingEvents = true;
        }

        private void Poke() => _settle.Change(s_settle, Timeout.InfiniteTimeSpan);

        public void Dispose()
        {
            _watcher.Dispose();
            _settle.Dispose();
        }
    }
}
