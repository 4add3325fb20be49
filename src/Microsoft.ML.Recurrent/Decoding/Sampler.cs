using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Models;
using Microsoft.ML.Recurrent.Numerics;

namespace Microsoft.ML.Recurrent.Decoding;

/// <summary>
/// Generates text one character at a time at batch 1: feed the priming text, then repeatedly pick the
/// next character from softmax(logits / temperature) (or the argmax at temperature 0) and feed it back.
/// Each instance owns its recurrent state and buffers: use one per concurrent generation.
/// </summary>
internal sealed class Sampler
{
    private readonly LanguageNetwork _network;
    private readonly CharVocabulary _vocabulary;
    private readonly NetworkWorkspace _workspace;
    private readonly RecurrentState[] _states;
    private readonly float[] _probabilities;
    private readonly int[] _id = new int[1];

    public Sampler(LanguageNetwork network, CharVocabulary vocabulary)
    {
        _network = network;
        _vocabulary = vocabulary;
        _workspace = network.CreateWorkspace(1, 1);
        _states = network.CreateStates(1);
        _probabilities = new float[vocabulary.Count];
    }

    /// <summary>
    /// The characters that follow <paramref name="prime"/>, one string (one Unicode scalar) each. An empty
    /// prime starts from a newline if the model knows it, else from its first character.
    /// </summary>
    public IEnumerable<string> Generate(string prime, int maxLength, float temperature, int seed)
    {
        ArgumentNullException.ThrowIfNull(prime);
        ArgumentOutOfRangeException.ThrowIfNegative(maxLength);
        if (!float.IsFinite(temperature) || temperature < 0)
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "Temperature must be finite and non-negative (0 = greedy).");
        int[] primeIds = prime.Length > 0
            ? _vocabulary.Encode(prime, "prompt")
            : [_vocabulary.TryGetIndex('\n', out int newline) ? newline : 0];
        return Run(primeIds, maxLength, temperature, seed);
    }

    private IEnumerable<string> Run(int[] primeIds, int maxLength, float temperature, int seed)
    {
        var random = new RandomSource(seed);
        foreach (var state in _states) state.Reset();
        foreach (int id in primeIds) Step(id);
        for (int n = 0; n < maxLength; n++)
        {
            int next = Pick(_workspace.Logits.AsSpan(0, _vocabulary.Count), temperature, random);
            yield return _vocabulary.Decode(next);
            if (n + 1 < maxLength) Step(next);
        }
    }

    private void Step(int id)
    {
        _id[0] = id;
        _network.Forward(_workspace, _id, _states, 1, dropout: null);
    }

    private int Pick(ReadOnlySpan<float> logits, float temperature, RandomSource random)
    {
        if (temperature == 0) return System.Numerics.Tensors.TensorPrimitives.IndexOfMax(logits);
        SoftmaxCrossEntropy.Softmax(logits, _probabilities, temperature);
        double u = random.NextDouble(), cumulative = 0;
        for (int i = 0; i < _probabilities.Length; i++)
        {
            cumulative += _probabilities[i];
            if (u < cumulative) return i;
        }
        return _probabilities.Length - 1;
    }
}
