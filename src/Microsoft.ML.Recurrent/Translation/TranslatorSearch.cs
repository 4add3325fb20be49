using Microsoft.ML.Recurrent.Decoding;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Numerics;

namespace Microsoft.ML.Recurrent.Translation;

/// <summary>
/// Generates outputs of a <see cref="TranslatorNetwork"/>: greedy decoding of a whole batch at once (one decoder step
/// for every unfinished source together), and beam search or sampling of one source through the shared
/// <see cref="Decoder{TState}"/>. The start token is never output: its score is masked. Each instance owns its
/// workspaces: use one per thread.
/// </summary>
internal sealed class TranslatorSearch : IDecoderStep<TranslatorSearch.State>
{
    private readonly TranslatorNetwork _network;
    private readonly Dictionary<(int Batch, int Source, int Target), TranslatorWorkspace> _workspaces = [];
    private TranslatorWorkspace? _single;

    public TranslatorSearch(TranslatorNetwork network) => _network = network;

    /// <summary>The decoder state of one sequence: one recurrent state per layer and the fed attentional vector.</summary>
    public sealed record State(RecurrentState[] Layers, float[] Feed);

    /// <summary>Sources per batch of <see cref="GreedyInBatches"/>.</summary>
    public const int DecodeBatch = 64;

    /// <summary>Output ids (without end) of each of <paramref name="sources"/>, greedily, in batches of sources of similar length.</summary>
    public int[][] GreedyInBatches(IReadOnlyList<int[]> sources, TranslationDecoding decoding)
    {
        var outputs = new int[sources.Count][];
        var order = Enumerable.Range(0, sources.Count).OrderBy(i => sources[i].Length).ToArray(); // little padding per batch
        for (int start = 0; start < order.Length; start += DecodeBatch)
        {
            var rows = order[start..Math.Min(start + DecodeBatch, order.Length)];
            var batch = Greedy([.. rows.Select(r => sources[r])], decoding);
            for (int i = 0; i < rows.Length; i++) outputs[rows[i]] = batch[i];
        }
        return outputs;
    }

    /// <summary>Output ids (without end) of each source in <paramref name="sources"/> (ids, each non-empty), greedily, as one batch.</summary>
    public int[][] Greedy(IReadOnlyList<int[]> sources, TranslationDecoding decoding)
    {
        int batch = sources.Count, sourceSteps = sources.Max(s => s.Length);
        var maxLengths = sources.Select(s => decoding.MaxLength(s.Length)).ToArray();
        int steps = maxLengths.Max();
        // Workspaces are sized to the next power of two, so a few serve every batch.
        var key = (batch, RoundUp(sourceSteps), RoundUp(steps));
        if (!_workspaces.TryGetValue(key, out var ws)) _workspaces[key] = ws = _network.CreateWorkspace(key.Item2, key.Item3, batch, training: false);
        var source = new int[sourceSteps * batch];
        var lengths = new int[batch];
        for (int b = 0; b < batch; b++)
        {
            lengths[b] = sources[b].Length;
            for (int t = 0; t < lengths[b]; t++) source[t * batch + b] = sources[b][t];
        }
        _network.Encode(ws, source, lengths, sourceSteps, null);
        _network.BeginDecode(ws, steps, dropout: false);
        var outputs = Enumerable.Range(0, batch).Select(_ => new List<int>()).ToArray();
        var tokens = Enumerable.Repeat(TranslatorVocabulary.Start, batch).ToArray();
        var done = new bool[batch];
        int v = _network.Shape.TargetVocabulary, left = batch;
        for (int t = 0; t < steps && left > 0; t++)
        {
            _network.DecodeStep(ws, tokens, t, null, logits: true);
            for (int b = 0; b < batch; b++)
            {
                if (done[b]) continue;
                var logits = ws.Logits.AsSpan(b * v, v);
                logits[TranslatorVocabulary.Start] = float.NegativeInfinity;
                int next = System.Numerics.Tensors.TensorPrimitives.IndexOfMax<float>(logits);
                if (next == TranslatorVocabulary.End) { done[b] = true; left--; continue; }
                outputs[b].Add(next);
                tokens[b] = next;
                if (outputs[b].Count >= maxLengths[b]) { done[b] = true; left--; }
            }
        }
        return [.. outputs.Select(o => o.ToArray())];
    }

    /// <summary>Output ids (without end) of one source by beam search or sampling, as <paramref name="decoding"/> says.</summary>
    public int[] Search(int[] source, TranslationDecoding decoding)
    {
        int maxLength = decoding.MaxLength(source.Length);
        if (_single == null || _single.MaxSource < source.Length) _single = _network.CreateWorkspace(RoundUp(source.Length), 1, 1, training: false);
        _network.Encode(_single, source, [source.Length], source.Length, null);
        var state = CreateState();
        for (int l = 0; l < state.Layers.Length; l++) state.Layers[l].CopyFrom(_single.InitialStates[l]);
        var decoder = new Decoder<State>(this);
        if (decoding.Temperature > 0)
        {
            var random = new RandomSource(decoding.Seed);
            return [.. decoder.Sample(state, [TranslatorVocabulary.Start], maxLength, decoding.Temperature, random, TranslatorVocabulary.End)];
        }
        return [.. decoder.Beam(state, TranslatorVocabulary.Start, maxLength, decoding.BeamSize, TranslatorVocabulary.End, decoding.LengthNormalized)];
    }

    public int Vocabulary => _network.Shape.TargetVocabulary;

    public ReadOnlySpan<float> Logits => _single!.Logits.AsSpan(0, Vocabulary);

    public State CreateState() => new(_network.Decoder.CreateStates(1), new float[_network.Shape.AttentionWidth]);

    public void Copy(State source, State destination)
    {
        for (int l = 0; l < destination.Layers.Length; l++) destination.Layers[l].CopyFrom(source.Layers[l]);
        source.Feed.CopyTo(destination.Feed, 0);
    }

    public void Feed(State state, int token)
    {
        _network.Step(_single!, state.Layers, state.Feed, token);
        _single!.Logits[TranslatorVocabulary.Start] = float.NegativeInfinity;
    }

    private static int RoundUp(int n) => (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(n, 1));
}
