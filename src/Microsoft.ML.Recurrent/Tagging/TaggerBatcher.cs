using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Numerics;
using Microsoft.ML.Recurrent.Training;

namespace Microsoft.ML.Recurrent.Tagging;

/// <summary>
/// Lays out chosen sentences of a <see cref="TaggingDataset"/> as one right-padded, time-major batch (row t·B + b)
/// and runs the network over it, keeping one workspace per batch size so that repeated batches do not allocate.
/// </summary>
internal sealed class TaggerBatcher(SequenceTaggerNetwork network, TaggingDataset data)
{
    // The input dropout and the stack's layers take the other mask seeds.
    private const int WordDropoutLayer = -2;

    private readonly Dictionary<int, TaggerWorkspace> _workspaces = [];
    private readonly RandomSource _wordDrop = new(0);
    private readonly int _maxSteps = Enumerable.Range(0, data.Count).Select(data.Length).DefaultIfEmpty(1).Max();
    private int[] _ids = [], _labels = [], _lengths = [];
    private int[]?[] _characters = [];
    private float[] _features = [];

    /// <summary>The label of a padded row in <see cref="Labels"/>.</summary>
    public const int Padding = -1;

    public TaggingDataset Data { get; } = data;
    public SequenceTaggerNetwork Network { get; } = network;

    /// <summary>Label ids of the last batch [T·B], <see cref="Padding"/> on padded rows.</summary>
    public ReadOnlySpan<int> Labels(TaggerWorkspace ws) => _labels.AsSpan(0, ws.Steps * ws.Batch);

    /// <summary>Word ids of the last batch [T·B] (what backward needs for the embedding).</summary>
    public ReadOnlySpan<int> Ids(TaggerWorkspace ws) => Ids(ws.Steps * ws.Batch);

    /// <summary>
    /// Runs forward over the sentences <paramref name="rows"/> and returns the workspace holding the scores. In training
    /// (a dropout seed given), each word is read as the unknown word with probability <paramref name="wordDropout"/>,
    /// drawn per sentence from the seed and the sentence's place in the whole batch (its stream), so that splitting a
    /// batch over threads changes nothing.
    /// </summary>
    public TaggerWorkspace Forward(ReadOnlySpan<int> rows, DropoutSeed? dropout, float wordDropout = 0f)
    {
        bool dropWords = dropout != null && wordDropout > 0;
        int batch = rows.Length, steps = 0;
        if (!_workspaces.TryGetValue(batch, out var ws))
            _workspaces[batch] = ws = Network.CreateWorkspace(_maxSteps, batch);
        if (_lengths.Length < batch) _lengths = new int[batch];
        for (int b = 0; b < batch; b++) steps = Math.Max(steps, _lengths[b] = Data.Length(rows[b]));
        int cells = steps * batch, width = Data.StepWidth;
        if (_labels.Length < cells)
        {
            _labels = new int[_maxSteps * batch];
            _ids = new int[_maxSteps * batch];
            _characters = new int[]?[_maxSteps * batch];
        }
        var labels = _labels.AsSpan(0, cells);
        labels.Fill(Padding);
        if (Data.Words != null)
        {
            var ids = _ids.AsSpan(0, cells);
            ids.Clear(); // padding reads word 0; it never reaches a valid step
            var characters = _characters.AsSpan(0, cells);
            characters.Clear();
            for (int b = 0; b < batch; b++)
            {
                int row = rows[b];
                var words = Data.Words[row];
                if (dropWords) _wordDrop.Reseed(dropout!.Value.ForRow(WordDropoutLayer, step: 0, stream: dropout.Value.FirstStream + b));
                for (int t = 0; t < words.Length; t++)
                {
                    ids[t * batch + b] = dropWords && _wordDrop.NextFloat() < wordDropout ? 0 : words[t];
                    if (Data.Characters != null) characters[t * batch + b] = Data.Characters[row][t];
                }
            }
        }
        else
        {
            if (_features.Length < cells * width) _features = new float[_maxSteps * batch * width];
            TimeMajor.Lay(Data.Features!, rows, width, _features.AsSpan(0, cells * width));
        }
        for (int b = 0; b < batch; b++)
        {
            var gold = Data.Labels[rows[b]];
            for (int t = 0; t < gold.Length; t++) labels[t * batch + b] = gold[t];
        }
        Network.Forward(ws, Ids(cells), Data.Words == null ? _features.AsSpan(0, cells * width) : [],
            Data.Characters != null ? _characters.AsSpan(0, cells) : [], _lengths.AsSpan(0, batch), steps, dropout);
        return ws;
    }

    private ReadOnlySpan<int> Ids(int cells) => Data.Words != null ? _ids.AsSpan(0, cells) : [];
}
