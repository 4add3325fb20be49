using Microsoft.ML.Recurrent.Decoding;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Numerics;

namespace Microsoft.ML.Recurrent.LanguageModel;

/// <summary>
/// The language model's decoder step, and its text generation at batch 1: feed the priming text, then let
/// <see cref="Decoder{TState}"/> pick each next character from softmax(logits / temperature) (or the argmax at
/// temperature 0) and feed it back. Each instance owns its recurrent state and buffers: use one per concurrent generation.
/// </summary>
internal sealed class Sampler : RecurrentDecoderStep
{
    private readonly LanguageNetwork _network;
    private readonly CharVocabulary _vocabulary;
    private readonly LanguageModelWorkspace _workspace;
    private readonly RecurrentState[] _states;
    private readonly Decoder<RecurrentState[]> _decoder;

    public Sampler(LanguageNetwork network, CharVocabulary vocabulary)
    {
        _network = network;
        _vocabulary = vocabulary;
        _workspace = network.CreateWorkspace(1, 1);
        _states = network.CreateStates(1);
        _decoder = new Decoder<RecurrentState[]>(this);
    }

    /// <inheritdoc />
    public override int Vocabulary => _vocabulary.Count;

    /// <inheritdoc />
    public override ReadOnlySpan<float> Logits => _workspace.Logits.AsSpan(0, _vocabulary.Count);

    /// <inheritdoc />
    public override RecurrentState[] CreateState() => _network.CreateStates(1);

    /// <inheritdoc />
    protected override void Forward(int[] token, RecurrentState[] state) => _network.Forward(_workspace, token, state, 1, dropout: null);

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

    // Every enumeration starts afresh: reset state, same seed, same text.
    private IEnumerable<string> Run(int[] primeIds, int maxLength, float temperature, int seed)
    {
        foreach (var state in _states) state.Reset();
        foreach (int token in _decoder.Sample(_states, primeIds, maxLength, temperature, new RandomSource(seed)))
            yield return _vocabulary.Decode(token);
    }
}
