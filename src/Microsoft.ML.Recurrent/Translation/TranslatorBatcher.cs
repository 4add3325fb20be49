using Microsoft.ML.Recurrent.Layers;

namespace Microsoft.ML.Recurrent.Translation;

/// <summary>
/// Lays rows of a <see cref="TranslationDataset"/> out as one time-major batch — sources padded with id 0, decoder
/// inputs (start, then the target), targets (the target, then end; <see cref="Padding"/> past it) — and runs the
/// network's forward pass on it. Workspaces are per batch size, and a large target vocabulary makes them large: it
/// keeps the one of the largest batch (most batches are full) and the last other one (a window's remainder).
/// </summary>
internal sealed class TranslatorBatcher(TranslatorNetwork network, TranslationDataset data)
{
    public const int Padding = -1;

    private TranslatorWorkspace? _full, _other;
    private readonly int _maxSource = data.Sources.Select(s => s.Length).DefaultIfEmpty(1).Max();
    private readonly int _maxTarget = data.Targets.Select(t => t.Length + 1).DefaultIfEmpty(1).Max();
    private int[] _source = [], _inputs = [], _targets = [], _lengths = [];

    public TranslationDataset Data { get; } = data;
    public TranslatorNetwork Network { get; } = network;

    public ReadOnlySpan<int> Source(TranslatorWorkspace ws) => _source.AsSpan(0, ws.SourceSteps * ws.Batch);
    public ReadOnlySpan<int> Inputs(TranslatorWorkspace ws) => _inputs.AsSpan(0, ws.TargetSteps * ws.Batch);
    public ReadOnlySpan<int> Targets(TranslatorWorkspace ws) => _targets.AsSpan(0, ws.TargetSteps * ws.Batch);

    /// <summary>Target tokens (end included) of <paramref name="rows"/>: what the loss is averaged over.</summary>
    public long TargetTokens(ReadOnlySpan<int> rows)
    {
        long n = 0;
        foreach (int row in rows) n += Data.Targets[row].Length + 1;
        return n;
    }

    /// <summary>Forward of <paramref name="rows"/> with teacher forcing; dropout when its seed is given.</summary>
    public TranslatorWorkspace Forward(ReadOnlySpan<int> rows, DropoutSeed? dropout)
    {
        int batch = rows.Length, sourceSteps = 0, targetSteps = 0;
        var ws = _full?.Batch == batch ? _full : _other?.Batch == batch ? _other : null;
        if (ws == null)
        {
            ws = Network.CreateWorkspace(_maxSource, _maxTarget, batch);
            if (_full == null || batch > _full.Batch) (_full, _other) = (ws, _full);
            else _other = ws;
        }
        if (_lengths.Length < batch)
        {
            _lengths = new int[batch];
            _source = new int[_maxSource * batch];
            _inputs = new int[_maxTarget * batch];
            _targets = new int[_maxTarget * batch];
        }
        for (int b = 0; b < batch; b++)
        {
            sourceSteps = Math.Max(sourceSteps, _lengths[b] = Data.Sources[rows[b]].Length);
            targetSteps = Math.Max(targetSteps, Data.Targets[rows[b]].Length + 1);
        }
        var source = _source.AsSpan(0, sourceSteps * batch);
        var inputs = _inputs.AsSpan(0, targetSteps * batch);
        var targets = _targets.AsSpan(0, targetSteps * batch);
        source.Clear();
        inputs.Fill(TranslatorVocabulary.End); // padded steps read some token; their loss is zero
        targets.Fill(Padding);
        for (int b = 0; b < batch; b++)
        {
            var s = Data.Sources[rows[b]];
            for (int t = 0; t < s.Length; t++) source[t * batch + b] = s[t];
            var target = Data.Targets[rows[b]];
            inputs[b] = TranslatorVocabulary.Start;
            for (int t = 0; t < target.Length; t++)
            {
                targets[t * batch + b] = target[t];
                inputs[(t + 1) * batch + b] = target[t];
            }
            targets[target.Length * batch + b] = TranslatorVocabulary.End;
        }
        Network.Forward(ws, source, _lengths.AsSpan(0, batch), sourceSteps, inputs, targetSteps, dropout);
        return ws;
    }
}
