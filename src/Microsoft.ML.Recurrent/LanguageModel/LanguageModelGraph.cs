using Microsoft.ML.Recurrent.Onnx;

namespace Microsoft.ML.Recurrent.LanguageModel;

/// <summary>
/// The next-character distribution graph: token ids [sequence] (int64, vocabulary indices) → probabilities
/// [sequence, V], row t being the distribution of the character after ids[0..t], from a zero initial state
/// (what <see cref="LanguageNetwork.Forward"/> computes at batch 1, followed by a softmax).
/// </summary>
internal static class LanguageModelGraph
{
    public const string Name = "char_language_model";
    public const string Input = "token_ids", Output = "probabilities";

    public static GraphBuilder Build(LanguageModelShape shape)
    {
        var g = new GraphBuilder(Name);
        var stack = shape.OnnxStack();
        g.Graph.Inputs.Add(new ValueInfoProto(Input, ElementType.Int64, ["sequence"]));
        string x = g.Unsqueeze(stack.OneHot(g, Input), 1); // [seq, batch = 1, V]
        var (outputs, _, _) = stack.Layers(g, x);
        string logits = stack.Logits(g, g.Squeeze(outputs, 1));
        g.AddNamed("Softmax", [logits], Output, AttributeProto.Of("axis", -1L));
        g.Graph.Outputs.Add(new ValueInfoProto(Output, ElementType.Float, ["sequence", shape.Vocabulary]));
        g.Graph.DocString =
            $"{Input}: int64 [sequence >= 1], indices into the vocabulary (metadata ml_recurrent.vocabulary, code points in index order). " +
            $"{Output}: float [sequence, {shape.Vocabulary}], the distribution of the next character after each prefix, from a zero initial state.";
        return g;
    }
}
