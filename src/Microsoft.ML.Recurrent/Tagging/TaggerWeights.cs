using System.Globalization;
using Microsoft.ML.Recurrent.Onnx;

namespace Microsoft.ML.Recurrent.Tagging;

/// <summary>
/// A <see cref="SequenceTaggerNetwork"/>'s weights as the initializers <see cref="TaggerGraph"/> reads: the word
/// embedding, the character embedding and stack (prefixed "chars.", <see cref="CharacterFeatureGraph.Weights"/>), the
/// main stack as <see cref="StackWeights.Stack"/> writes it and the output layer.
/// </summary>
internal static class TaggerWeights
{
    public const string Embedding = "embedding.W", EmbeddingBias = "embedding.b";
    public const string OutputWeight = StackWeights.OutputWeight, OutputBias = StackWeights.OutputBias;

    public static IEnumerable<TensorProto> Export(SequenceTaggerNetwork network)
    {
        var shape = network.Shape;
        if (network.Embedding is { } e)
        {
            yield return TensorProto.Floats(Embedding, [e.Vocabulary, e.Width], e.Weight.Value);
            yield return TensorProto.Floats(EmbeddingBias, [e.Width], e.Bias.Value);
        }
        if (network.Characters is { } characters)
            foreach (var t in CharacterFeatureGraph.Weights(characters.Embedding, characters.Stack)) yield return t;
        foreach (var t in StackWeights.Stack(network.Stack)) yield return t;
        yield return TensorProto.Floats(OutputWeight, [shape.OutputWidth, shape.Labels], network.Output.Weight.Value);
        yield return TensorProto.Floats(OutputBias, [shape.Labels], network.Output.Bias.Value);
        if (network.Crf is { } crf)
            foreach (var t in ViterbiGraph.Initializers(crf)) yield return t;
    }

    /// <summary>The whole model file: graph, weights, a description and the tagger's settings in the metadata
    /// (the stack's, then <c>ml_recurrent.bidirectional</c>, <c>labels</c>, <c>input</c>, <c>char_hidden</c>); the words are
    /// those of ids 1, 2, … (<see cref="TaggerGraph.Build"/>).</summary>
    public static byte[] ToOnnx(SequenceTaggerNetwork network, IReadOnlyList<string>? words, IReadOnlyDictionary<char, int>? characters)
    {
        var s = network.Shape;
        var inv = CultureInfo.InvariantCulture;
        var metadata = StackMetadata.Stack(s.Cell, s.Hidden, s.Layers).ToList();
        metadata.Add(new(OnnxModelFile.Prefix + "bidirectional", s.Bidirectional ? "true" : "false"));
        metadata.Add(new(OnnxModelFile.Prefix + "labels", s.Labels.ToString(inv)));
        metadata.Add(new(OnnxModelFile.Prefix + "input", s.WordInput ? "words" : "steps"));
        metadata.Add(new(OnnxModelFile.Prefix + "char_hidden", (s.CharacterFeatures ? s.CharHidden : 0).ToString(inv)));
        string input = s.WordInput
            ? $"{TaggerGraph.Words}: the lower-cased tokens, string [1, steps]" + (s.CharacterFeatures ? $"; {TaggerGraph.Units}: their characters as ML.NET's TokenizeIntoCharactersAsKeys writes them, uint16 [1, K]" : "")
            : $"{TaggerGraph.Steps}: float [1, steps · {s.InputWidth}]";
        return OnnxModelFile.Write(TaggerGraph.Build(s, words, characters), Export(network),
            $"A {(s.Bidirectional ? "bidirectional " : "")}{s.Cell} sequence tagger ({s.Layers}×{s.Hidden}, {s.Labels} labels) exported by Microsoft.ML.Recurrent. " +
            $"Inputs: {input}. Outputs: {TaggerGraph.Score} [1, steps, {s.Labels}] (label probabilities per step), {TaggerGraph.PredictedIndex} uint32 [1, steps] (0-based labels).",
            metadata);
    }
}
