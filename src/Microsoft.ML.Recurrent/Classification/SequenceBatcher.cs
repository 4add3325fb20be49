using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Numerics;
using Microsoft.ML.Recurrent.Training;
namespace Microsoft.ML.Recurrent.Classification;

/// <summary>
/// Lays out chosen rows of a <see cref="SequenceDataset"/> as one right-padded, time-major batch (row t·B + b),
/// and keeps one workspace per batch size so that repeated batches do not allocate.
/// </summary>
internal sealed class SequenceBatcher(SequenceClassifierNetwork network, SequenceDataset data)
{
    private readonly Dictionary<int, ClassifierWorkspace> _workspaces = [];
    private readonly int _maxSteps = Enumerable.Range(0, data.Count).Select(data.Length).DefaultIfEmpty(1).Max();
    private int[] _ids = [];
    private float[] _features = [];
    private int[] _lengths = [];
    private RandomSource? _wordDrop;

    public SequenceDataset Data { get; } = data;

    /// <summary>
    /// Runs forward over the rows <paramref name="rows"/> and returns the workspace holding the logits. In training
    /// (a dropout seed given), each token is replaced by the unknown token 0 with probability <paramref name="wordDropout"/>.
    /// </summary>
    public ClassifierWorkspace Forward(ReadOnlySpan<int> rows, DropoutSeed? dropout, float wordDropout = 0f)
    {
        _wordDrop = dropout is { } seed && wordDropout > 0 ? new RandomSource(seed.ForRow(layer: 2, step: 0, stream: 0)) : null;
        int batch = rows.Length, steps = 0;
        if (!_workspaces.TryGetValue(batch, out var ws))
            _workspaces[batch] = ws = network.CreateWorkspace(_maxSteps, batch);
        if (_lengths.Length < batch) _lengths = new int[batch];
        for (int b = 0; b < batch; b++) steps = Math.Max(steps, _lengths[b] = Data.Length(rows[b]));
        int width = Data.StepWidth, cells = steps * batch;
        if (Data.Tokens != null)
        {
            if (_ids.Length < cells) _ids = new int[_maxSteps * batch];
            var ids = _ids.AsSpan(0, cells);
            ids.Clear(); // padding reads token 0; it never reaches a valid step or the pooled vector
            for (int b = 0; b < batch; b++)
            {
                var seq = Data.Tokens[rows[b]];
                for (int t = 0; t < seq.Length; t++)
                    ids[t * batch + b] = _wordDrop != null && _wordDrop.NextFloat() < wordDropout ? 0 : seq[t];
            }
        }
        else
        {
            if (_features.Length < cells * width) _features = new float[_maxSteps * batch * width];
            TimeMajor.Lay(Data.Features!, rows, width, _features.AsSpan(0, cells * width));
        }
        network.Forward(ws, Ids(cells), Features(cells * width), _lengths.AsSpan(0, batch), steps, dropout);
        return ws;
    }

    /// <summary>The token ids of the last batch (what backward needs for the embedding).</summary>
    public ReadOnlySpan<int> Ids(int cells) => Data.Tokens != null ? _ids.AsSpan(0, cells) : [];

    private ReadOnlySpan<float> Features(int values) => Data.Tokens == null ? _features.AsSpan(0, values) : [];
}
