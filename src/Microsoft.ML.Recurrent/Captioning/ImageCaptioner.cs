using Microsoft.ML.Recurrent.Captioning;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Numerics;
using Microsoft.ML.Recurrent.Onnx;
using Microsoft.ML.Recurrent.Text;

namespace Microsoft.ML.Recurrent;

/// <summary>
/// A trained image captioner: image features (e.g. ResNet18's 512 floats) condition a word-level recurrent
/// network that writes a sentence. Features are standardised with the training set's mean and deviation.
/// Thread-safe: every caption uses its own buffers.
/// </summary>
public sealed partial class ImageCaptioner
{
    private readonly CaptionNetwork _network;
    private readonly WordVocabulary _vocabulary;
    private readonly float[] _mean;
    private readonly float[] _inverseDeviation;

    private ImageCaptioner(CaptionNetwork network, WordVocabulary vocabulary, float[] mean, float[] inverseDeviation, CaptionerOptions options)
    {
        _network = network;
        _vocabulary = vocabulary;
        _mean = mean;
        _inverseDeviation = inverseDeviation;
        Options = options;
    }

    /// <summary>The options the captioner was trained with; their decoding settings are the defaults of <see cref="Caption(ReadOnlySpan{float})"/>.</summary>
    public CaptionerOptions Options { get; }

    /// <summary>Length of the feature vector the captioner reads.</summary>
    public int FeatureCount => _network.Shape.Features;

    /// <summary>The words it can write, after &lt;START&gt;, &lt;END&gt; and &lt;UNK&gt;.</summary>
    public IReadOnlyList<string> Vocabulary => _vocabulary.Words;

    internal CaptionNetwork Network => _network;

    /// <summary>Trains a captioner on images (feature vectors) each with one or more reference captions.</summary>
    /// <param name="features">One feature vector per image, all of the same length.</param>
    /// <param name="captions">The captions of each image (at least one image must have one).</param>
    /// <param name="options">Architecture, training and decoding settings (defaults when null).</param>
    /// <param name="cancellationToken">Stops training between minibatches.</param>
    public static ImageCaptioner Train(IReadOnlyList<float[]> features, IReadOnlyList<IReadOnlyList<string>> captions,
        CaptionerOptions? options = null, CancellationToken cancellationToken = default)
        => Train(features, captions, options, log: null, cancellationToken);

    internal static ImageCaptioner Train(IReadOnlyList<float[]> features, IReadOnlyList<IReadOnlyList<string>> captions,
        CaptionerOptions? options, Action<string>? log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(captions);
        options ??= new CaptionerOptions();
        options.Validate();
        if (features.Count == 0 || features.Count != captions.Count)
            throw new ArgumentException($"Need one caption list per image; got {features.Count} images and {captions.Count} caption lists.", nameof(captions));
        int f = features[0].Length;
        if (f == 0 || features.Any(x => x.Length != f))
            throw new ArgumentException("Every feature vector must have the same, non-zero length.", nameof(features));

        var vocabulary = WordVocabulary.Build(captions.SelectMany(c => c), options.MinWordCount);
        var pairs = TrainingPairs(vocabulary, captions, options.MaxCaptionLength);
        if (pairs.Count == 0) throw new ArgumentException("No image has a non-empty caption.", nameof(captions));

        var (mean, inverseDeviation) = Statistics(features, f);
        var normalised = new float[features.Count * f];
        for (int i = 0; i < features.Count; i++) Normalise(features[i], mean, inverseDeviation, normalised.AsSpan(i * f, f));
        var shape = CaptionShape.Of(options, vocabulary.Count, f);
        shape.Validate();
        var network = new CaptionNetwork(shape);
        CaptionTrainer.Train(network, normalised, pairs, options, log, cancellationToken);
        return new ImageCaptioner(network, vocabulary, mean, inverseDeviation, options);
    }

    /// <summary>
    /// The (image, word ids, cut) pairs training sees: empty captions are left out, and a caption longer than
    /// <paramref name="maxLength"/> words is cut to it and marked, so that it teaches no &lt;END&gt; where it did not end.
    /// </summary>
    internal static List<(int Image, int[] Words, bool Cut)> TrainingPairs(WordVocabulary vocabulary, IReadOnlyList<IReadOnlyList<string>> captions, int maxLength)
    {
        var pairs = new List<(int, int[], bool)>();
        for (int i = 0; i < captions.Count; i++)
            foreach (var caption in captions[i])
            {
                var words = vocabulary.Encode(caption);
                bool cut = words.Length > maxLength;
                if (words.Length > 0) pairs.Add((i, cut ? words[..maxLength] : words, cut));
            }
        return pairs;
    }

    /// <summary>A caption for one image, decoded as <see cref="Options"/> says.</summary>
    public string Caption(ReadOnlySpan<float> features)
        => Caption(features, Options.Decoding, Options.BeamSize, Options.Temperature, Options.EffectiveSeed);

    /// <summary>A caption for one image.</summary>
    /// <param name="features">The image's feature vector (<see cref="FeatureCount"/> floats).</param>
    /// <param name="decoding">Greedy, sampling or beam search.</param>
    /// <param name="beamSize">Beam size for beam search.</param>
    /// <param name="temperature">Softmax temperature for sampling (&gt; 0).</param>
    /// <param name="seed">Seed for sampling.</param>
    public string Caption(ReadOnlySpan<float> features, CaptionDecoding decoding, int beamSize = 3, float temperature = 1f, int seed = 1)
        => _vocabulary.Decode(CaptionIds(features, decoding, beamSize, temperature, seed));

    /// <summary>
    /// Where an attention captioner looked while reading <paramref name="caption"/> for this image: one row per word
    /// of the caption and one for the end that follows it, each the attention weights over the
    /// <see cref="CaptionerOptions.AttentionRegions"/> regions (summing to 1) with which that word was predicted.
    /// </summary>
    /// <param name="features">The image's feature vector (<see cref="FeatureCount"/> floats).</param>
    /// <param name="caption">A caption (usually one this captioner wrote); unknown words read as &lt;UNK&gt;.</param>
    /// <exception cref="InvalidOperationException">The captioner does not use <see cref="ImageConditioning.Attention"/>.</exception>
    public float[][] AttentionMaps(ReadOnlySpan<float> features, string caption)
    {
        ArgumentNullException.ThrowIfNull(caption);
        if (!_network.Shape.Attends) throw new InvalidOperationException($"This captioner is conditioned by {_network.Shape.Conditioning}, not by attention: it has no attention maps.");
        if (features.Length != FeatureCount)
            throw new ArgumentException($"Expected {FeatureCount} features, got {features.Length}.", nameof(features));
        var normalised = new float[FeatureCount];
        Normalise(features, _mean, _inverseDeviation, normalised);
        int[] ids = [WordVocabulary.Start, .. _vocabulary.Encode(caption)];
        var ws = _network.CreateWorkspace(ids.Length, 1);
        var states = _network.CreateStates(1);
        _network.Begin(ws, normalised, states);
        _network.Forward(ws, ids, states, ids.Length, dropout: null);
        int regions = _network.Shape.Regions;
        return [.. Enumerable.Range(0, ids.Length).Select(t => ws.Weights.AsSpan(t * regions, regions).ToArray())];
    }

    /// <summary>
    /// The ONNX caption graph that decodes as <see cref="Options"/> say, as <see cref="Caption(ReadOnlySpan{float})"/>
    /// does: greedy, sampled at <see cref="CaptionerOptions.Temperature"/> from the uniforms of its effective seed, or by
    /// beam search of <see cref="CaptionerOptions.BeamSize"/>.
    /// </summary>
    internal byte[] ExportGraph()
    {
        float temperature = Options.Decoding == CaptionDecoding.Sampling ? Options.Temperature : 0f;
        return CaptionGraph.Export(_network, _vocabulary.Words, _mean, _inverseDeviation,
            new GenerationSettings(Options.MaxCaptionLength, temperature, Options.EffectiveSeed),
            Options.Decoding == CaptionDecoding.BeamSearch ? Options.BeamSize : null);
    }

    internal List<int> CaptionIds(ReadOnlySpan<float> features, CaptionDecoding decoding, int beamSize, float temperature, int seed)
    {
        if (features.Length != FeatureCount)
            throw new ArgumentException($"Expected {FeatureCount} features, got {features.Length}.", nameof(features));
        var normalised = new float[FeatureCount];
        Normalise(features, _mean, _inverseDeviation, normalised);
        var decoder = new CaptionDecoder(_network);
        int maxLength = Options.MaxCaptionLength;
        return decoding switch
        {
            CaptionDecoding.Greedy => decoder.Sample(normalised, maxLength, 0f, new RandomSource(seed)),
            CaptionDecoding.Sampling => temperature > 0 && float.IsFinite(temperature)
                ? decoder.Sample(normalised, maxLength, temperature, new RandomSource(seed))
                : throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "Temperature must be finite and positive."),
            CaptionDecoding.BeamSearch => decoder.Beam(normalised, maxLength, beamSize),
            _ => throw new ArgumentOutOfRangeException(nameof(decoding), decoding, "Unknown decoding."),
        };
    }

    private static (float[] Mean, float[] InverseDeviation) Statistics(IReadOnlyList<float[]> features, int f)
    {
        var mean = new double[f];
        var square = new double[f];
        foreach (var x in features)
            for (int j = 0; j < f; j++)
            {
                mean[j] += x[j];
                square[j] += (double)x[j] * x[j];
            }
        var m = new float[f];
        var inv = new float[f];
        for (int j = 0; j < f; j++)
        {
            m[j] = (float)(mean[j] / features.Count);
            double variance = Math.Max(0, square[j] / features.Count - m[j] * (double)m[j]);
            // Constant features (ReLU units never active on these images) stay at zero instead of dividing by ~0.
            inv[j] = (float)(1.0 / Math.Sqrt(variance + 1e-6));
        }
        return (m, inv);
    }

    private static void Normalise(ReadOnlySpan<float> x, float[] mean, float[] inverseDeviation, Span<float> result)
    {
        System.Numerics.Tensors.TensorPrimitives.Subtract(x, mean, result);
        System.Numerics.Tensors.TensorPrimitives.Multiply(result, inverseDeviation, result);
    }
}
