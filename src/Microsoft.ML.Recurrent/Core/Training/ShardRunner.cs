using System.Runtime.ExceptionServices;
using Microsoft.ML.Recurrent.Numerics;

namespace Microsoft.ML.Recurrent.Training;

/// <summary>
/// Runs one body per shard, in parallel, once per call: the caller runs shard 0 and persistent background
/// threads run the others. Persistent threads rather than Parallel.For because a training iteration must not
/// allocate, and because each shard's kernels run single-threaded (the shards are the parallelism), which is
/// set once per thread here.
/// </summary>
internal sealed class ShardRunner : IDisposable
{
    private readonly Thread[] _threads;
    private readonly SemaphoreSlim[] _start;
    private readonly CountdownEvent _done = new(0);
    private Action<int>? _body;
    private Exception? _workerError;
    private volatile bool _stopping;

    public ShardRunner(int shards)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shards, 1);
        _start = [.. Enumerable.Range(1, shards - 1).Select(_ => new SemaphoreSlim(0))];
        _threads = [.. Enumerable.Range(1, shards - 1).Select(shard => new Thread(() => Work(shard))
        {
            IsBackground = true,
            Name = $"Recurrent shard {shard}",
        })];
        foreach (var t in _threads) t.Start();
    }

    public int Shards => _threads.Length + 1;

    /// <summary>Runs body(0..Shards−1) in parallel and returns when all are done; rethrows the first failure.</summary>
    public void Run(Action<int> body)
    {
        if (_threads.Length == 0)
        {
            body(0);
            return;
        }
        _body = body;
        _workerError = null;
        _done.Reset(_threads.Length);
        foreach (var s in _start) s.Release();
        Exception? own = null;
        using (KernelSettings.Override(maxThreads: 1))
        {
            try { body(0); }
            catch (Exception e) { own = e; }
        }
        _done.Wait();
        if (own != null) ExceptionDispatchInfo.Throw(own);
        if (_workerError != null) ExceptionDispatchInfo.Throw(_workerError);
    }

    private void Work(int shard)
    {
        using var single = KernelSettings.Override(maxThreads: 1);
        while (true)
        {
            _start[shard - 1].Wait();
            if (_stopping) return;
            try { _body!(shard); }
            catch (Exception e) { Interlocked.CompareExchange(ref _workerError, e, null); }
            finally { _done.Signal(); }
        }
    }

    public void Dispose()
    {
        _stopping = true;
        foreach (var s in _start) s.Release();
        foreach (var t in _threads) t.Join();
        foreach (var s in _start) s.Dispose();
        _done.Dispose();
    }
}
