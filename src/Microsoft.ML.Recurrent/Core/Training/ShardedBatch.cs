using System.Numerics.Tensors;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Numerics;

namespace Microsoft.ML.Recurrent.Training;

/// <summary>
/// Data parallelism over a minibatch of independent rows (sentences, pairs): shard s of S takes the contiguous rows
/// [s·n/S, (s+1)·n/S) on its own replica of the network (shared weights, own gradients and activations), and the
/// replicas' gradients are summed into the first's in shard order, so the result depends on the thread count only.
/// </summary>
internal sealed class ShardedBatch : IDisposable
{
    private readonly ParameterStore[] _replicas;
    private readonly Func<int, int, int, double> _body;
    private readonly double[] _loss;
    private readonly ShardRunner _runner;
    private readonly Action<int> _runShard;
    private int _rows;

    /// <param name="replicas">Each shard's parameters, the first the trained network's own.</param>
    /// <param name="body">(shard, first row, end row) → forward and backward of those rows of the batch on that shard's
    /// replica, the gradients accumulated into its (zeroed) store; returns their loss summed.</param>
    public ShardedBatch(IReadOnlyList<ParameterStore> replicas, Func<int, int, int, double> body)
    {
        _replicas = [.. replicas];
        _body = body;
        _loss = new double[_replicas.Length];
        _runner = new ShardRunner(_replicas.Length);
        _runShard = RunShard;
    }

    /// <summary>How many shards a batch of <paramref name="batchSize"/> rows splits into: one per thread, at most one per row.</summary>
    public static int Count(int batchSize) => Math.Clamp(KernelSettings.Threads, 1, batchSize);

    /// <summary>Runs every shard's share of a batch of <paramref name="rows"/> rows; the summed gradients are then in the first replica's store. Returns the loss summed over the rows.</summary>
    public double Run(int rows)
    {
        _rows = rows;
        _runner.Run(_runShard);
        var gradients = _replicas[0].Gradients;
        for (int s = 1; s < _replicas.Length; s++) TensorPrimitives.Add(gradients, _replicas[s].Gradients, gradients);
        return _loss.Sum();
    }

    private void RunShard(int s)
    {
        int first = s * _rows / _replicas.Length, end = (s + 1) * _rows / _replicas.Length;
        _replicas[s].ZeroGradients();
        _loss[s] = first == end ? 0 : _body(s, first, end);
    }

    public void Dispose() => _runner.Dispose();
}
