using System.Globalization;
using Microsoft.ML.Recurrent.Onnx;
using Microsoft.ML.Recurrent.Text;

namespace Microsoft.ML.Recurrent.Captioning;

/// <summary>
/// The greedy caption graph: image features <see cref="Input"/> [1, F] → <see cref="Output"/> [MaxCaptionLength]
/// words (strings). It standardises the features, sets each layer's initial state from them (or zero), feeds
/// &lt;START&gt;, then the <see cref="DecodeLoop"/> feeds the arg-max word back MaxCaptionLength times, exactly as the
/// C# greedy decoder does (its last step's logits go unused, as in the generator). &lt;END&gt; is emitted as itself
/// and everything after it is to be ignored (the decoder stops there); &lt;START&gt; is emitted as an empty string,
/// which the decoder leaves out too.
/// </summary>
internal static class CaptionGraph
{
    public const string Name = "caption_generator";
    public const string Input = "caption_features", Output = "caption_words";

    public static byte[] Export(CaptionNetwork network, IReadOnlyList<string> words, float[] mean, float[] inverseDeviation, int maxLength)
    {
        var shape = network.Shape;
        if (shape.Attends)
            throw new NotSupportedException("An attention captioner does not export to ONNX yet: use ImageCaptioner.Caption (the pipeline's transformer needs the ONNX graph).");
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

        DecodeStep step = (b, word, h, c) =>
        {
            string x = stack.OneHot(b, word); // [1, V]
            if (shape.Conditioning.HasFlag(ImageConditioning.EveryStep)) x = b.Add("Concat", [x, normalised], AttributeProto.Of("axis", 1L));
            var (_, hOut, cOut) = stack.Layers(b, b.Unsqueeze(x, 0), h, c);
            return (stack.Logits(b, b.Squeeze(hOut[^1], 0)), hOut, cOut);
        };
        var (logits, h1, c1) = step(g, g.Initializer(TensorProto.Int64s("start_word", [1], [WordVocabulary.Start])), h0, c0);
        string ids = DecodeLoop.Emit(g, "caption_step", step, logits, h1, c1, shape.Vocabulary, shape.Hidden, new GenerationSettings(maxLength, 0f, 0));
        string[] symbols = [.. words.Select((w, i) => i == WordVocabulary.Start ? "" : w)];
        g.AddNamed("Gather", [g.Initializer(TensorProto.Texts("caption_vocabulary", symbols)), ids], Output, AttributeProto.Of("axis", 0L));
        g.Graph.Outputs.Add(new ValueInfoProto(Output, ElementType.String, [maxLength]));
        g.Graph.DocString = $"{Input}: float [1, {shape.Features}] image features. {Output}: string [{maxLength}], greedy words; " +
            $"the caption ends before the first '{words[WordVocabulary.End]}'; empty strings are to be skipped.";

        var inv = CultureInfo.InvariantCulture;
        var metadata = StackMetadata.Stack(shape.Cell, shape.Hidden, shape.Layers).ToList();
        metadata.Add(new(OnnxModelFile.Prefix + "features", shape.Features.ToString(inv)));
        metadata.Add(new(OnnxModelFile.Prefix + "conditioning", shape.Conditioning.ToString()));
        metadata.Add(new(StackMetadata.MaxLengthKey, maxLength.ToString(inv)));
        return OnnxModelFile.Write(g, CaptionWeights.Export(network),
            $"An image captioner ({shape.Cell} {shape.Layers}×{shape.Hidden}, {shape.Vocabulary} words) exported by Microsoft.ML.Recurrent.", metadata);
    }
}
