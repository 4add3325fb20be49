using Microsoft.ML.Recurrent.Decoding;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Numerics;
using Microsoft.ML.Recurrent.Text;

namespace Microsoft.ML.Recurrent.Captioning;

/// <summary>
/// The captioner's decoder step, and its captions for one image at batch 1: apply the image, feed &lt;START&gt;,
/// then let <see cref="Decoder{TState}"/> pick words until &lt;END&gt; or the maximum length. Each instance owns its
/// buffers: use one per concurrent caption.
/// </summary>
internal sealed class CaptionDecoder : RecurrentDecoderStep
{
    private readonly CaptionNetwork _network;
    private readonly CaptionWorkspace _workspace;
    private readonly Decoder<RecurrentState[]> _decoder;

    public CaptionDecoder(CaptionNetwork network)
    {
        _network = network;
        _workspace = network.CreateWorkspace(1, 1);
        _decoder = new Decoder<RecurrentState[]>(this);
    }

    /// <inheritdoc />
    public override int Vocabulary => _network.Shape.Vocabulary;

    /// <inheritdoc />
    public override ReadOnlySpan<float> Logits => _workspace.Logits.AsSpan(0, _network.Shape.Vocabulary);

    /// <inheritdoc />
    public override RecurrentState[] CreateState() => _network.CreateStates(1);

    /// <inheritdoc />
    protected override void Forward(int[] token, RecurrentState[] state) => _network.Forward(_workspace, token, state, 1, dropout: null);

    /// <summary>Word ids (without &lt;END&gt;) by greedy choice (temperature 0) or sampling.</summary>
    public List<int> Sample(ReadOnlySpan<float> features, int maxLength, float temperature, RandomSource random)
        => [.. _decoder.Sample(Begin(features), [WordVocabulary.Start], maxLength, temperature, random, WordVocabulary.End)];

    /// <summary>
    /// Word ids (without &lt;END&gt;) of the best finished sentence by beam search (see
    /// <see cref="Decoder{TState}.Beam"/>): the beam keeps its full width until no partial sentence is left, and
    /// finished sentences are compared by mean log-probability per word unless <paramref name="lengthNormalized"/> is false.
    /// </summary>
    public List<int> Beam(ReadOnlySpan<float> features, int maxLength, int beamSize, bool lengthNormalized = true)
        => _decoder.Beam(Begin(features), WordVocabulary.Start, maxLength, beamSize, WordVocabulary.End, lengthNormalized);

    // A state with the image applied.
    private RecurrentState[] Begin(ReadOnlySpan<float> features)
    {
        var states = CreateState();
        _network.Begin(_workspace, features, states);
        return states;
    }
}
