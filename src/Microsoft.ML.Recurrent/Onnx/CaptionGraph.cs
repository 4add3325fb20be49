using Microsoft.ML.Recurrent.Models;

namespace Microsoft.ML.Recurrent.Onnx;

/// <summary>
/// The greedy caption graph: image features <see cref="Input"/> [1, F] → <see cref="Output"/> [MaxCaptionLength]
/// words (strings). It standardises the features, sets each layer's initial state from them (or zero), then an
/// ONNX Loop feeds &lt;START&gt; and the arg-max word back MaxCaptionLength times, exactly as the C# greedy
/// decoder does. &lt;END&gt; is emitted as itself and everything after it is to be ignored (the decoder stops
/// there); &lt;START&gt; is emitted as an empty string, which the decoder leaves out too.
/// </summary>
internal static class CaptionGraph
{
    public const string Name = "caption_generator";
    public const string Input = "caption_features", Output = "caption_words";

    public static byte[] Export(CaptionNetwork network, IReadOnlyList<string> words, float[] mean, float[] inverseDeviation, int maxLength)
    {
        var shape = network.Shape;
        var stack = new RecurrentStack(network.Stack.Shape, shape.Vocabulary);
        var g = new GraphBuilder(Name);
        g.Graph.Inputs.Add(new ValueInfoProto(Input, ElementType.Float, [1, shape.Features]));
        string normalised = g.Add("Mul", [g.Add("Sub", [Input, g.Initializer(TensorProto.Floats("feature_mean", [shape.Features], mean))]),
            g.Initializer(TensorProto.Floats("feature_scale", [shape.Features], inverseDeviation))]);
        bool lstm = shape.Cell == RecurrentCell.Lstm;
        string zeros = g.Initializer(TensorProto.Floats("zero_state", [1, 1, shape.Hidden], new float[shape.Hidden]));
        string[] h0 = [.. Enumerable.Range(0, shape.Layers).Select(l => shape.Conditioning.HasFlag(ImageConditioning.InitialState)
            ? g.Unsqueeze(g.Add("Tanh", [g.Add("Add", [g.Add("MatMul", [normalised, CaptionWeights.InitialWeight(l)]), CaptionWeights.InitialBias(l)])]), 0)
            : zeros)];
        string[] c0 = lstm ? [.. h0.Select(_ => zeros)] : [];

        var body = Step(g, stack, shape, normalised, h0.Length, c0.Length);
        string start = g.Initializer(TensorProto.Int64s("start_word", [1], [WordVocabulary.Start]));
        string[] carried = [start, .. h0, .. c0];
        string[] loopOutputs = [.. carried.Select(_ => g.Fresh("final")), g.Fresh("picked")];
        g.AddMany("Loop", [g.Int64(maxLength), "", .. carried], loopOutputs, AttributeProto.Of("body", body));
        string ids = g.Add("Reshape", [loopOutputs[^1], g.Int64s(maxLength)]);
        string[] symbols = [.. words.Select((w, i) => i == WordVocabulary.Start ? "" : w)];
        g.AddNamed("Gather", [g.Initializer(TensorProto.Texts("caption_vocabulary", symbols)), ids], Output, AttributeProto.Of("axis", 0L));
        g.Graph.Outputs.Add(new ValueInfoProto(Output, ElementType.String, [maxLength]));
        g.Graph.DocString = $"{Input}: float [1, {shape.Features}] image features. {Output}: string [{maxLength}], greedy words; " +
            $"the caption ends before the first '{words[WordVocabulary.End]}'; empty strings are to be skipped.";

        g.Graph.Initializers.InsertRange(0, CaptionWeights.Export(network));
        var model = new ModelProto(g.Graph)
        {
            ProducerName = "Microsoft.ML.Recurrent",
            DocString = $"An image captioner ({shape.Cell} {shape.Layers}×{shape.Hidden}, {shape.Vocabulary} words) exported by Microsoft.ML.Recurrent.",
        };
        return OnnxFormat.Write(model);
    }

    // (iteration, cond, previous word [1], h_l [1, 1, H]..., c_l...) -> (cond, picked [1], h', c', picked [1])
    private static GraphProto Step(GraphBuilder outer, RecurrentStack stack, CaptionShape shape, string features, int layers, int cells)
    {
        var b = outer.Subgraph("caption_step");
        string iteration = b.Fresh("iteration"), condIn = b.Fresh("cond_in"), wordIn = b.Fresh("word_in");
        string[] hIn = [.. Enumerable.Range(0, layers).Select(_ => b.Fresh("h_in"))];
        string[] cIn = [.. Enumerable.Range(0, cells).Select(_ => b.Fresh("c_in"))];
        b.Graph.Inputs.Add(new ValueInfoProto(iteration, ElementType.Int64, []));
        b.Graph.Inputs.Add(new ValueInfoProto(condIn, ElementType.Bool, []));
        b.Graph.Inputs.Add(new ValueInfoProto(wordIn, ElementType.Int64, [1]));
        foreach (string s in hIn.Concat(cIn)) b.Graph.Inputs.Add(new ValueInfoProto(s, ElementType.Float, [1, 1, shape.Hidden]));

        string x = stack.OneHot(b, wordIn); // [1, V]
        if (shape.Conditioning.HasFlag(ImageConditioning.EveryStep)) x = b.Add("Concat", [x, features], AttributeProto.Of("axis", 1L));
        var (_, h, c) = stack.Layers(b, b.Unsqueeze(x, 0), hIn, cIn);
        string logits = stack.Logits(b, b.Squeeze(h[^1], 0));
        string picked = b.Add("ArgMax", [logits], AttributeProto.Of("axis", 1L), AttributeProto.Of("keepdims", 0L)); // first maximum, like IndexOfMax
        string scan = b.Add("Identity", [picked]);

        b.Graph.Outputs.Add(new ValueInfoProto(b.Add("Identity", [condIn]), ElementType.Bool, []));
        b.Graph.Outputs.Add(new ValueInfoProto(picked, ElementType.Int64, [1]));
        foreach (string s in h.Concat(c)) b.Graph.Outputs.Add(new ValueInfoProto(s, ElementType.Float, [1, 1, shape.Hidden]));
        b.Graph.Outputs.Add(new ValueInfoProto(scan, ElementType.Int64, [1]));
        return b.Graph;
    }
}
