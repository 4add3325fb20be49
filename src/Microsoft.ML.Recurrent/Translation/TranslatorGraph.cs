using System.Globalization;
using Microsoft.ML.Recurrent.Onnx;

namespace Microsoft.ML.Recurrent.Translation;

/// <summary>
/// The greedy translation graph of a <see cref="TranslatorNetwork"/>: source tokens <see cref="Input"/> string [1, S]
/// (unknown tokens read as id 0, as <see cref="TranslatorVocabulary.SourceId"/> reads them; an empty source gives an
/// empty output) → the output's ids
/// <see cref="Ids"/> int64 [1, n] and tokens <see cref="Tokens"/> string [1, n], without the end token. It runs the
/// encoder stack as native ONNX RNN/LSTM/GRU nodes, the bridge, the attention keys (once per source), then a
/// <see cref="DecodeLoop"/> whose body is one decoder step exactly as <see cref="TranslatorNetwork"/> computes it:
/// target embedding, input feeding, the decoder stack from its carried states, attention (dot, general or additive),
/// tanh of the combined [h | context], the output scores and their first maximum. Like <see cref="TranslatorSearch.Greedy"/>
/// it never outputs the start token (its score is masked), and stops at the end token or after <see cref="TranslationDecoding.MaxLength"/>
/// tokens, computed in the graph from S. One source per run: beam search and sampling are not in the graph.
/// </summary>
internal static class TranslatorGraph
{
    public const string Name = "sequence_translator";
    public const string Input = "translation_source", Ids = "translation_ids", Tokens = "translation_tokens";
    private const string EncoderPrefix = "encoder.", DecoderPrefix = "decoder.";

    public static byte[] Export(TranslatorNetwork network, TranslatorVocabulary vocabulary, TranslationDecoding decoding)
    {
        var shape = network.Shape;
        var g = new GraphBuilder(Name);
        g.Graph.Inputs.Add(new ValueInfoProto(Input, ElementType.String, [1, "source_steps"]));
        string ids = g.Fresh("source_ids");
        g.Graph.Nodes.Add(new NodeProto("LabelEncoder", g.Fresh("LabelEncoder_node"), [g.Squeeze(Input, 0)], [ids],
            [AttributeProto.Of("keys_strings", vocabulary.Source),
             AttributeProto.Of("values_int64s", [.. Enumerable.Range(1, vocabulary.Source.Length).Select(i => (long)i)]),
             AttributeProto.Of("default_int64", (long)TranslatorVocabulary.Unknown)], ModelProto.MlDomain));

        // ONNX Runtime's recurrent nodes aborted the test process on an empty sequence: an empty source is encoded as one unknown
        // token, and its output is dropped below
        string steps = g.Add("Shape", [ids]);
        string encoded = g.Add("Slice", [g.Add("Concat", [ids, g.Int64s(TranslatorVocabulary.Unknown)], AttributeProto.Of("axis", 0L)), g.Int64s(0),
            g.Add("Max", [steps, g.Int64s(1)])]);

        // source [S] -> embedding [S, 1, E] -> encoder outputs [S, 1, M] = the memory [S, M]; final states per layer [D, 1, H]
        string embedded = g.Add("Add", [g.Add("Gather", [network.SourceEmbedding.Weight.Name, encoded], AttributeProto.Of("axis", 0L)), network.SourceEmbedding.Bias.Name]);
        var (outputs, finalH, finalC) = new RecurrentStack(shape.Encoder, prefix: EncoderPrefix).Layers(g, g.Unsqueeze(embedded, 1));
        string memory = g.Squeeze(outputs, 1);
        string keys = AttentionGraph.Keys(g, network.Attention, memory);

        // the bridge: decoder layer l starts from tanh(final h·Wh + b) (and c = final c·Wc + b) of its encoder layer
        bool lstm = shape.Decoder.Cell == RecurrentCell.Lstm;
        var states = new List<LoopState>();
        for (int l = 0; l < shape.Decoder.Layers; l++)
        {
            var bridge = network.BridgeH[l];
            string h = g.Add("Tanh", [g.Add("Add", [g.Add("MatMul", [Directions(g, finalH[shape.BridgeSource(l)], shape.Encoder.Directions), bridge.Weight.Name]), bridge.Bias.Name])]);
            states.Add(new LoopState(g.Unsqueeze(h, 0), [1, 1, shape.Decoder.Hidden]));
        }
        for (int l = 0; lstm && l < shape.Decoder.Layers; l++)
        {
            var bridge = network.BridgeC[l];
            string c = g.Add("Add", [g.Add("MatMul", [Directions(g, finalC[shape.BridgeSource(l)], shape.Encoder.Directions), bridge.Weight.Name]), bridge.Bias.Name]);
            states.Add(new LoopState(g.Unsqueeze(c, 0), [1, 1, shape.Decoder.Hidden]));
        }
        if (shape.InputFeeding) // the first step is fed zeros
            states.Add(new LoopState(g.Initializer(TensorProto.Floats("initial_feed", [1, shape.AttentionWidth], new float[shape.AttentionWidth])), [1, shape.AttentionWidth]));

        var decoder = new RecurrentStack(shape.Decoder, prefix: DecoderPrefix);
        string? tiedOutput = shape.TieEmbeddings ? g.Add("Transpose", [network.TargetEmbedding.Weight.Name]) : null; // Eᵀ [E, V], once
        var mask = new float[shape.TargetVocabulary];
        mask[TranslatorVocabulary.Start] = float.NegativeInfinity; // the start token is never output, as in TranslatorSearch
        string startMask = g.Initializer(TensorProto.Floats("start_mask", [1, shape.TargetVocabulary], mask));
        int layers = shape.Decoder.Layers, cells = lstm ? layers : 0;
        StateStep step = (b, token, carried) =>
        {
            string x = b.Add("Add", [b.Add("Gather", [network.TargetEmbedding.Weight.Name, token], AttributeProto.Of("axis", 0L)), network.TargetEmbedding.Bias.Name]); // [1, E]
            if (shape.InputFeeding) x = b.Add("Concat", [x, carried[^1]], AttributeProto.Of("axis", 1L)); // [1, E + A]
            var (top, h, c) = decoder.Layers(b, b.Unsqueeze(x, 0), carried[..layers], carried[layers..(layers + cells)]);
            string query = b.Squeeze(top, 0); // [1, H]
            var (_, context) = AttentionGraph.Context(b, network.Attention, query, keys, memory); // [1, M]
            var combine = network.Combine;
            string feed = b.Add("Tanh", [b.Add("Add", [b.Add("MatMul", [b.Add("Concat", [query, context], AttributeProto.Of("axis", 1L)), combine.Weight.Name]), combine.Bias.Name])]);
            string logits = tiedOutput is null
                ? b.Add("Add", [b.Add("MatMul", [feed, network.Output!.Weight.Name]), network.Output.Bias.Name])
                : b.Add("Add", [b.Add("MatMul", [feed, tiedOutput]), network.TiedBias!.Name]);
            return (b.Add("Add", [logits, startMask]), shape.InputFeeding ? [.. h, .. c, feed] : [.. h, .. c]);
        };
        var (primed, primedStates) = step(g, g.Initializer(TensorProto.Int64s("start_token", [1], [TranslatorVocabulary.Start])), [.. states.Select(s => s.Initial)]);
        LoopState[] carriedStates = [.. primedStates.Select((s, i) => new LoopState(s, states[i].Dims))];

        // the most tokens of a source of S: ceil(ratio·S) + slack, in double as TranslationDecoding.MaxLength computes it
        string length = g.Cast(g.Squeeze(steps, 0), ElementType.Double);
        string ratio = g.Initializer(TensorProto.Doubles("max_length_ratio", [], [decoding.MaxLengthRatio]));
        string trips = g.Add("Add", [g.Cast(g.Add("Ceil", [g.Add("Mul", [length, ratio])]), ElementType.Int64), g.Int64(decoding.MaxLengthSlack)]);
        long[] stops = [TranslatorVocabulary.End];
        string picked = DecodeLoop.Emit(g, "translation_step", step, primed, carriedStates, shape.TargetVocabulary,
            new GenerationSettings(decoding.MaxLength(int.MaxValue / 4), 0f, 0), tripCount: trips, stopTokens: stops);

        // the Loop's last id is a stop token unless the length limit ended it: drop it then; an empty source keeps no id at all
        string stopped = g.Add("ReduceSum", [g.Cast(g.Add("Equal", [g.Add("Gather", [picked, g.Int64s(-1)], AttributeProto.Of("axis", 0L)), g.Int64s(stops)]), ElementType.Int64)],
            AttributeProto.Of("keepdims", 1L));
        string kept = g.Add("Mul", [g.Add("Sub", [g.Add("Shape", [picked]), stopped]), g.Add("Min", [steps, g.Int64s(1)])]);
        string output = g.Add("Slice", [picked, g.Int64s(0), kept, g.Int64s(0)]);
        g.AddNamed("Unsqueeze", [output, g.Int64s(0)], Ids); // [1, n]: a leading 1 makes ML.NET type it as a variable-length vector
        string[] symbols = [.. Enumerable.Range(0, shape.TargetVocabulary).Select(i => i is TranslatorVocabulary.Start or TranslatorVocabulary.End ? "" : vocabulary.TargetToken(i))];
        g.AddNamed("Gather", [g.Initializer(TensorProto.Texts("target_tokens", symbols)), Ids], Tokens, AttributeProto.Of("axis", 0L));
        g.Graph.Outputs.Add(new ValueInfoProto(Ids, ElementType.Int64, [1, "output_steps"]));
        g.Graph.Outputs.Add(new ValueInfoProto(Tokens, ElementType.String, [1, "output_steps"]));
        g.Graph.DocString = $"{Input}: string [1, S], the source tokens (unknown ones read as '{TranslatorVocabulary.UnknownSymbol}'; none gives an empty output). " +
            $"{Ids}: int64 [1, n], {Tokens}: string [1, n], the greedy output without its end token, at most ceil({decoding.MaxLengthRatio.ToString(CultureInfo.InvariantCulture)}·S) + {decoding.MaxLengthSlack} tokens.";

        var inv = CultureInfo.InvariantCulture;
        var metadata = StackMetadata.Stack(shape.Decoder.Cell, shape.Decoder.Hidden, shape.Decoder.Layers).ToList();
        metadata.Add(new(OnnxModelFile.Prefix + "bidirectional", shape.Encoder.Bidirectional.ToString(inv)));
        metadata.Add(new(OnnxModelFile.Prefix + "attention", shape.Score.ToString()));
        metadata.Add(new(OnnxModelFile.Prefix + "input_feeding", shape.InputFeeding.ToString(inv)));
        metadata.Add(new(OnnxModelFile.Prefix + "tied_embeddings", shape.TieEmbeddings.ToString(inv)));
        metadata.Add(new(OnnxModelFile.Prefix + "max_length_ratio", decoding.MaxLengthRatio.ToString("R", inv)));
        metadata.Add(new(OnnxModelFile.Prefix + "max_length_slack", decoding.MaxLengthSlack.ToString(inv)));
        return OnnxModelFile.Write(g, Weights(network),
            $"A sequence translator ({shape.Decoder.Cell} {shape.Decoder.Layers}×{shape.Decoder.Hidden}, {shape.Score} attention, " +
            $"{shape.SourceVocabulary} → {shape.TargetVocabulary} tokens) exported by Microsoft.ML.Recurrent.", metadata);
    }

    // final states [D, 1, H] -> [1, D·H]: the directions side by side, as the bridge reads them
    private static string Directions(GraphBuilder g, string final, int directions)
        => directions == 1 ? g.Squeeze(final, 0)
            : g.Add("Concat", [.. Enumerable.Range(0, directions).Select(d => g.Add("Gather", [final, g.Int64(d)], AttributeProto.Of("axis", 0L)))], AttributeProto.Of("axis", 1L));

    // the stacks in ONNX's layout (named by their prefixes), every other parameter as it is, [rows, cols] under its own name
    private static IEnumerable<TensorProto> Weights(TranslatorNetwork network)
        => StackWeights.Stack(network.Encoder, prefix: EncoderPrefix)
            .Concat(StackWeights.Stack(network.Decoder, prefix: DecoderPrefix))
            .Concat(network.Parameters.Parameters
                .Where(p => !p.Name.StartsWith(EncoderPrefix, StringComparison.Ordinal) && !p.Name.StartsWith(DecoderPrefix, StringComparison.Ordinal))
                .Select(p => TensorProto.Floats(p.Name, [p.Rows, p.Cols], p.Value)));
}
