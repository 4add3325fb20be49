using System.Globalization;
using Microsoft.ML.Recurrent.Onnx;
using Microsoft.ML.Recurrent.Text;

namespace Microsoft.ML.Recurrent.Captioning;

/// <summary>
/// The caption graph: image features <see cref="Input"/> [1, F] → <see cref="Output"/> [MaxCaptionLength]
/// words (strings). It standardises the features, sets each layer's initial state from them (or zero), feeds
/// &lt;START&gt;, then the <see cref="DecodeLoop"/> feeds the picked word back MaxCaptionLength times, exactly as the
/// C# decoder does (its last step's logits go unused, as in the generator): the arg-max word (greedy), or at a
/// temperature the word the sampler draws with the seed's uniforms, stored in the graph, so that every image is
/// captioned from the same stream as <see cref="ImageCaptioner.Caption(ReadOnlySpan{float})"/> starts afresh for each.
/// With a beam size, the <see cref="BeamLoop"/> runs the step on K rows instead and emits the best sentence's words,
/// then &lt;END&gt; as padding, as <see cref="CaptionDecoder.Beam"/> finds it. &lt;END&gt; is emitted as itself
/// and everything after it is to be ignored (the decoder stops there); &lt;START&gt; is emitted as an empty string,
/// which the decoder leaves out too. An attention captioner's step is <see cref="CaptionNetwork"/>'s attending step: the
/// regions, their keys and mean (what the initial states read) are computed once from the standardised features, and
/// every step attends from the top layer's previous state (or, with AttentionQuery.CurrentState, its new one) over them, K rows of a beam sharing the one image's regions.
/// </summary>
internal static class CaptionGraph
{
    public const string Name = "caption_generator";
    public const string Input = "caption_features", Output = "caption_words";

    /// <summary>
    /// The graph of <paramref name="network"/> decoding as <paramref name="settings"/> say (greedy at temperature 0, else
    /// sampled from its seed), or with <paramref name="beamSize"/> by beam search of that width (the settings' length only).
    /// </summary>
    public static byte[] Export(CaptionNetwork network, IReadOnlyList<string> words, float[] mean, float[] inverseDeviation, GenerationSettings settings,
        int? beamSize = null)
    {
        int maxLength = settings.MaxLength;
        var shape = network.Shape;
        var stack = new RecurrentStack(network.Stack.Shape, shape.Vocabulary);
        var g = new GraphBuilder(Name);
        g.Graph.Inputs.Add(new ValueInfoProto(Input, ElementType.Float, [1, shape.Features]));
        string normalised = g.Add("Mul", [g.Add("Sub", [Input, g.Initializer(TensorProto.Floats("feature_mean", [shape.Features], mean))]),
            g.Initializer(TensorProto.Floats("feature_scale", [shape.Features], inverseDeviation))]);
        var regions = shape.Attends ? Regions(g, network, normalised) : (Attended?)null;
        string image = regions?.Mean ?? normalised; // [1, ImageWidth]: what the initial states read
        bool lstm = shape.Cell == RecurrentCell.Lstm;
        // Created on first use only: ORT warns (on stdout) about an unused initializer, which the fresh-process check reads.
        string? zeroState = null;
        string Zeros() => zeroState ??= g.Initializer(TensorProto.Floats("zero_state", [1, 1, shape.Hidden], new float[shape.Hidden]));
        string[] h0 = [.. Enumerable.Range(0, shape.Layers).Select(l => shape.Conditioning.HasFlag(ImageConditioning.InitialState)
            ? g.Unsqueeze(g.Add("Tanh", [g.Add("Add", [g.Add("MatMul", [image, CaptionWeights.InitialWeight(l)]), CaptionWeights.InitialBias(l)])]), 0)
            : Zeros())];
        string[] c0 = lstm ? [.. h0.Select(_ => Zeros())] : [];

        // words [N] and each layer's states [1, N, H] → logits [N, V] and the new states; image() is the features [N, F] for N rows.
        (string Logits, string[] H, string[] C) Step(GraphBuilder b, string word, string[] h, string[] c, Func<string> image)
        {
            if (regions is { } attended) return AttendingStep(b, network, stack, attended, word, h, c);
            string x = stack.OneHot(b, word); // [N, V]
            if (shape.Conditioning.HasFlag(ImageConditioning.EveryStep)) x = b.Add("Concat", [x, image()], AttributeProto.Of("axis", 1L));
            var (_, hOut, cOut) = stack.Layers(b, b.Unsqueeze(x, 0), h, c);
            return (stack.Logits(b, b.Squeeze(hOut[^1], 0)), hOut, cOut);
        }
        string ids;
        if (beamSize is { } k)
        {
            string? rows = null;
            string Rows() => rows ??= g.Add("Expand", [normalised, g.Int64s(k, shape.Features)]); // [K, F], in the outer graph
            BeamStep beam = (b, word, states) =>
            {
                var (next, hOut, cOut) = Step(b, word, states[..h0.Length], states[h0.Length..], Rows);
                return (next, [.. hOut, .. cOut]);
            };
            BeamState[] primed = [.. h0.Concat(c0).Select(s => new BeamState(s, [1, 1, shape.Hidden], RowAxis: 1))];
            ids = BeamLoop.Emit(g, "caption_beam_step", beam, primed, shape.Vocabulary, k, maxLength, WordVocabulary.Start, WordVocabulary.End);
        }
        else
        {
            DecodeStep step = (b, word, h, c) => Step(b, word, h, c, () => normalised);
            var (logits, h1, c1) = step(g, g.Initializer(TensorProto.Int64s("start_word", [1], [WordVocabulary.Start])), h0, c0);
            ids = DecodeLoop.Emit(g, "caption_step", step, logits, h1, c1, shape.Vocabulary, shape.Hidden, settings);
        }
        string[] symbols = [.. words.Select((w, i) => i == WordVocabulary.Start ? "" : w)];
        g.AddNamed("Gather", [g.Initializer(TensorProto.Texts("caption_vocabulary", symbols)), ids], Output, AttributeProto.Of("axis", 0L));
        g.Graph.Outputs.Add(new ValueInfoProto(Output, ElementType.String, [maxLength]));
        g.Graph.DocString = $"{Input}: float [1, {shape.Features}] image features. {Output}: string [{maxLength}], " +
            (beamSize is { } width ? $"the words of the best sentence by beam search of width {width}; "
                : settings.Temperature == 0 ? "greedy words; " : $"words sampled at temperature {settings.Temperature} with seed {settings.Seed}; ") +
            $"the caption ends before the first '{words[WordVocabulary.End]}'; empty strings are to be skipped.";

        var inv = CultureInfo.InvariantCulture;
        var metadata = StackMetadata.Stack(shape.Cell, shape.Hidden, shape.Layers).ToList();
        metadata.Add(new(OnnxModelFile.Prefix + "features", shape.Features.ToString(inv)));
        metadata.Add(new(OnnxModelFile.Prefix + "conditioning", shape.Conditioning.ToString()));
        metadata.Add(new(StackMetadata.MaxLengthKey, maxLength.ToString(inv)));
        metadata.Add(new(OnnxModelFile.Prefix + "decoding", beamSize is not null ? nameof(CaptionDecoding.BeamSearch)
            : settings.Temperature == 0 ? nameof(CaptionDecoding.Greedy) : nameof(CaptionDecoding.Sampling)));
        if (shape.Attends)
        {
            metadata.Add(new(OnnxModelFile.Prefix + "attention_regions", shape.Regions.ToString(inv)));
            metadata.Add(new(OnnxModelFile.Prefix + "attention_width", shape.AttentionWidth.ToString(inv)));
            metadata.Add(new(OnnxModelFile.Prefix + "attention_gate", shape.Gate.ToString(inv)));
            metadata.Add(new(OnnxModelFile.Prefix + "attention_query", shape.Query.ToString()));
        }
        if (beamSize is { } size) metadata.Add(new(OnnxModelFile.Prefix + "beam_size", size.ToString(inv)));
        else if (settings.Temperature != 0)
        {
            metadata.Add(new(OnnxModelFile.Prefix + "temperature", settings.Temperature.ToString("R", inv)));
            metadata.Add(new(OnnxModelFile.Prefix + "seed", settings.Seed.ToString(inv)));
        }
        return OnnxModelFile.Write(g, CaptionWeights.Export(network),
            $"An image captioner ({shape.Cell} {shape.Layers}×{shape.Hidden}, {shape.Vocabulary} words) exported by Microsoft.ML.Recurrent.", metadata);
    }

    /// <summary>What every attending step reads: the regions [R, C], their additive keys [R, A] and their mean [1, C].</summary>
    private readonly record struct Attended(string Regions, string Keys, string Mean);

    // normalised [1, C·R] channel-major -> the regions [R, C] (computed once, outside the Loop), their keys and mean
    private static Attended Regions(GraphBuilder g, CaptionNetwork network, string normalised)
    {
        var shape = network.Shape;
        string map = g.Add("Reshape", [normalised, g.Int64s(shape.Channels, shape.Regions)]); // [C, R]
        string regions = g.Add("Transpose", [map]); // no perm: a 2-D transpose
        string mean = g.Add("Div", [g.Unsqueeze(g.Add("ReduceSum", [map, g.Int64s(1)], AttributeProto.Of("keepdims", 0L)), 0), g.Float(shape.Regions)]);
        return new Attended(regions, AttentionGraph.Keys(g, network.Attention!, regions), mean);
    }

    // One step of CaptionNetwork's attending forward over N rows of one image. From the previous state: the query is the
    // top layer's previous output, z = β·Σ α_r a_r, layer 0 reads [embedding of the word, z] and the output layer [h, z].
    // From the current state: layer 0 reads the embedding alone, and the new top output is the query.
    private static (string Logits, string[] H, string[] C) AttendingStep(GraphBuilder b, CaptionNetwork network, RecurrentStack stack, Attended attended,
        string word, string[] h, string[] c)
    {
        var words = network.Words;
        string Context(string query)
        {
            var (_, z) = AttentionGraph.Context(b, network.Attention!, query, attended.Keys, attended.Regions); // [N, C]
            return network.Gate is { } gate
                ? b.Add("Mul", [z, b.Add("Sigmoid", [b.Add("Add", [b.Add("MatMul", [query, gate.Weight.Name]), gate.Bias.Name])])]) // β [N, 1]
                : z;
        }
        string embedded = b.Add("Add", [b.Add("Gather", [words.Weight.Name, word], AttributeProto.Of("axis", 0L)), words.Bias.Name]); // [N, E]
        if (!network.Shape.FeedsContext)
        {
            var (_, hNext, cNext) = stack.Layers(b, b.Unsqueeze(embedded, 0), h, c);
            string top = b.Squeeze(hNext[^1], 0); // [N, H]
            return (stack.Logits(b, b.Add("Concat", [top, Context(top)], AttributeProto.Of("axis", 1L))), hNext, cNext);
        }
        string z = Context(b.Squeeze(h[^1], 0));
        string x = b.Add("Concat", [embedded, z], AttributeProto.Of("axis", 1L));
        var (_, hOut, cOut) = stack.Layers(b, b.Unsqueeze(x, 0), h, c);
        return (stack.Logits(b, b.Add("Concat", [b.Squeeze(hOut[^1], 0), z], AttributeProto.Of("axis", 1L))), hOut, cOut);
    }
}
