using System.Numerics.Tensors;
using Microsoft.ML.Recurrent.Numerics;

namespace Microsoft.ML.Recurrent.Decoding;

/// <summary>
/// The one decoder of every generating task, over the task's <see cref="IDecoderStep{TState}"/>: greedy choice,
/// temperature sampling, and beam search. Each instance owns its buffers: use one per concurrent sequence.
/// </summary>
internal sealed class Decoder<TState>
{
    /// <summary>An end token that no model emits: decode for the full length.</summary>
    public const int NoEnd = -1;

    private readonly IDecoderStep<TState> _step;
    private readonly float[] _probabilities;

    public Decoder(IDecoderStep<TState> step)
    {
        ArgumentNullException.ThrowIfNull(step);
        _step = step;
        _probabilities = new float[step.Vocabulary];
    }

    /// <summary>
    /// Feeds <paramref name="prime"/> to the primed <paramref name="state"/>, then yields up to
    /// <paramref name="maxLength"/> tokens, each picked (<see cref="Pick"/>) and fed back; the last one is not fed, and
    /// decoding stops before <paramref name="end"/>. Lazy, and allocates nothing per token; the public entry points
    /// that call it have checked the length and temperature.
    /// </summary>
    public IEnumerable<int> Sample(TState state, int[] prime, int maxLength, float temperature, RandomSource random, int end = NoEnd)
    {
        foreach (int token in prime) _step.Feed(state, token);
        for (int n = 0; n < maxLength; n++)
        {
            int next = Pick(temperature, random);
            if (next == end) yield break;
            yield return next;
            if (n + 1 < maxLength) _step.Feed(state, next);
        }
    }

    /// <summary>The next token from the step's logits: the argmax at temperature 0, else a draw from softmax(logits / temperature).</summary>
    public int Pick(float temperature, RandomSource random)
    {
        var logits = _step.Logits;
        if (temperature == 0) return TensorPrimitives.IndexOfMax(logits);
        SoftmaxCrossEntropy.Softmax(logits, _probabilities, temperature);
        double u = random.NextDouble(), cumulative = 0;
        for (int i = 0; i < _probabilities.Length; i++)
        {
            cumulative += _probabilities[i];
            if (u < cumulative) return i;
        }
        return _probabilities.Length - 1;
    }

    /// <summary>
    /// The tokens (without <paramref name="end"/>) of the best finished sequence by beam search from the primed
    /// <paramref name="state"/>, whose first input is <paramref name="start"/>. The beam keeps its full width until no
    /// live hypothesis is left (each at most <paramref name="maxLength"/> tokens): stopping at the first
    /// <paramref name="beamSize"/> finished sequences would let early, short ones crowd out the longer ones. Finished
    /// sequences are compared by log-probability, divided by their length (tokens + end) when
    /// <paramref name="lengthNormalized"/> so that short ones are not favoured. Beam 1 is greedy.
    /// </summary>
    public List<int> Beam(TState state, int start, int maxLength, int beamSize, int end, bool lengthNormalized = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(beamSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxLength);
        var live = new List<Hypothesis> { new([], 0, state) };
        var finished = new List<Hypothesis>();
        var logProbabilities = new float[_step.Vocabulary];
        while (live.Count > 0)
        {
            var candidates = new List<(Hypothesis Parent, int Token, double Score)>();
            foreach (var hypothesis in live)
            {
                _step.Feed(hypothesis.State, hypothesis.Tokens.Count == 0 ? start : hypothesis.Tokens[^1]);
                LogSoftmax(_step.Logits, logProbabilities);
                // Only the best beamSize tokens of one parent can survive the global top-beamSize cut.
                foreach (int token in TopIndices(logProbabilities, beamSize))
                    candidates.Add((hypothesis, token, hypothesis.Score + logProbabilities[token]));
            }
            live = [];
            foreach (var (parent, token, score) in candidates.OrderByDescending(c => c.Score).Take(beamSize))
            {
                if (token == end || parent.Tokens.Count + 1 >= maxLength)
                {
                    finished.Add(new Hypothesis(token == end ? parent.Tokens : [.. parent.Tokens, token], score, parent.State));
                    continue;
                }
                var child = _step.CreateState();
                _step.Copy(parent.State, child);
                live.Add(new Hypothesis([.. parent.Tokens, token], score, child));
            }
        }
        return finished.OrderByDescending(h => lengthNormalized ? h.Score / (h.Tokens.Count + 1) : h.Score).First().Tokens;
    }

    private static void LogSoftmax(ReadOnlySpan<float> logits, Span<float> result)
    {
        float max = TensorPrimitives.Max(logits);
        double sum = 0;
        foreach (float z in logits) sum += Math.Exp(z - max);
        float shift = max + (float)Math.Log(sum);
        TensorPrimitives.Subtract(logits, shift, result);
    }

    // The indices of the `count` largest values, largest first (the lower index first on ties): one pass keeping a
    // sorted list of the best so far, O(V·count) rather than sorting a large vocabulary at every step of every hypothesis.
    private static List<int> TopIndices(float[] values, int count)
    {
        var best = new List<int>(count + 1);
        for (int i = 0; i < values.Length; i++)
        {
            if (best.Count == count && !(values[i] > values[best[^1]])) continue;
            int at = best.Count;
            while (at > 0 && values[i] > values[best[at - 1]]) at--;
            best.Insert(at, i);
            if (best.Count > count) best.RemoveAt(count);
        }
        return best;
    }

    private sealed record Hypothesis(List<int> Tokens, double Score, TState State);
}
