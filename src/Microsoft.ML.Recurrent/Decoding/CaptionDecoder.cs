using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Models;
using Microsoft.ML.Recurrent.Numerics;

namespace Microsoft.ML.Recurrent.Decoding;

/// <summary>
/// Writes a caption for one image at batch 1: apply the image, feed &lt;START&gt;, then pick words until
/// &lt;END&gt; or the maximum length. Each instance owns its buffers: use one per concurrent caption.
/// </summary>
internal sealed class CaptionDecoder
{
    private readonly CaptionNetwork _network;
    private readonly CaptionWorkspace _workspace;
    private readonly float[] _probabilities;
    private readonly int[] _id = new int[1];

    public CaptionDecoder(CaptionNetwork network)
    {
        _network = network;
        _workspace = network.CreateWorkspace(1, 1);
        _probabilities = new float[network.Shape.Vocabulary];
    }

    private Span<float> Logits => _workspace.Logits.AsSpan(0, _network.Shape.Vocabulary);

    /// <summary>Word ids (without &lt;END&gt;) by greedy choice (temperature 0) or sampling.</summary>
    public List<int> Sample(ReadOnlySpan<float> features, int maxLength, float temperature, RandomSource random)
    {
        var states = _network.CreateStates(1);
        _network.Begin(_workspace, features, states);
        var words = new List<int>();
        int id = WordVocabulary.Start;
        while (words.Count < maxLength)
        {
            Step(id, states);
            id = temperature == 0 ? System.Numerics.Tensors.TensorPrimitives.IndexOfMax(Logits) : Draw(temperature, random);
            if (id == WordVocabulary.End) break;
            words.Add(id);
        }
        return words;
    }

    /// <summary>
    /// Word ids (without &lt;END&gt;) of the best finished sentence by beam search; finished sentences are
    /// compared by mean log-probability per word so that short ones are not favoured. The beam keeps its full width
    /// until no live hypothesis is left (each step at most <paramref name="maxLength"/>): stopping at the first
    /// <paramref name="beamSize"/> finished sentences would let early, short ones crowd out the longer ones that
    /// still name every object. Beam 1 is greedy.
    /// </summary>
    public List<int> Beam(ReadOnlySpan<float> features, int maxLength, int beamSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(beamSize);
        var start = _network.CreateStates(1);
        _network.Begin(_workspace, features, start);
        var live = new List<Hypothesis> { new([], 0, start) };
        var finished = new List<Hypothesis>();
        var logProbabilities = new float[_network.Shape.Vocabulary];
        while (live.Count > 0)
        {
            var candidates = new List<(Hypothesis Parent, int Word, double Score)>();
            foreach (var hypothesis in live)
            {
                Step(hypothesis.Words.Count == 0 ? WordVocabulary.Start : hypothesis.Words[^1], hypothesis.States);
                LogSoftmax(Logits, logProbabilities);
                // Only the best beamSize words of one parent can survive the global top-beamSize cut.
                foreach (int word in TopIndices(logProbabilities, beamSize))
                    candidates.Add((hypothesis, word, hypothesis.Score + logProbabilities[word]));
            }
            live = [];
            foreach (var (parent, word, score) in candidates.OrderByDescending(c => c.Score).Take(beamSize))
            {
                if (word == WordVocabulary.End || parent.Words.Count + 1 >= maxLength)
                {
                    finished.Add(new Hypothesis(word == WordVocabulary.End ? parent.Words : [.. parent.Words, word], score, parent.States));
                    continue;
                }
                live.Add(new Hypothesis([.. parent.Words, word], score, Copy(parent.States)));
            }
        }
        return finished.OrderByDescending(h => h.Score / (h.Words.Count + 1)).First().Words;
    }

    private void Step(int id, RecurrentState[] states)
    {
        _id[0] = id;
        _network.Forward(_workspace, _id, states, 1, dropout: null);
    }

    private int Draw(float temperature, RandomSource random)
    {
        SoftmaxCrossEntropy.Softmax(Logits, _probabilities, temperature);
        double u = random.NextDouble(), cumulative = 0;
        for (int i = 0; i < _probabilities.Length; i++)
        {
            cumulative += _probabilities[i];
            if (u < cumulative) return i;
        }
        return _probabilities.Length - 1;
    }

    private static void LogSoftmax(ReadOnlySpan<float> logits, Span<float> result)
    {
        float max = System.Numerics.Tensors.TensorPrimitives.Max(logits);
        double sum = 0;
        foreach (float z in logits) sum += Math.Exp(z - max);
        float shift = max + (float)Math.Log(sum);
        System.Numerics.Tensors.TensorPrimitives.Subtract(logits, shift, result);
    }

    private static IEnumerable<int> TopIndices(float[] values, int count)
        => Enumerable.Range(0, values.Length).OrderByDescending(i => values[i]).ThenBy(i => i).Take(count);

    private RecurrentState[] Copy(RecurrentState[] states)
    {
        var copy = _network.CreateStates(1);
        for (int l = 0; l < copy.Length; l++) copy[l].CopyFrom(states[l]);
        return copy;
    }

    private sealed record Hypothesis(List<int> Words, double Score, RecurrentState[] States);
}
