using Microsoft.ML.Recurrent.Onnx;

namespace Microsoft.ML.Recurrent.LanguageModel;

/// <summary>Serializes a language network as one of its ONNX graphs, weights and metadata included (through <see cref="OnnxModelFile"/>).</summary>
internal static class OnnxExport
{
    /// <summary>The next-character distribution graph (<see cref="LanguageModelGraph"/>).</summary>
    public static byte[] LanguageModel(CharVocabulary vocabulary, LanguageNetwork network, double? validationLoss)
        => Serialize(LanguageModelGraph.Build(network.Shape), vocabulary, network, validationLoss, null);

    /// <summary>The generator graph (<see cref="GeneratorGraph"/>).</summary>
    public static byte[] Generator(CharVocabulary vocabulary, LanguageNetwork network, double? validationLoss, GenerationSettings settings)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(settings.MaxLength, nameof(settings.MaxLength));
        if (!float.IsFinite(settings.Temperature) || settings.Temperature < 0)
            throw new ArgumentOutOfRangeException(nameof(settings), settings.Temperature, "Temperature must be finite and non-negative (0 = greedy).");
        return Serialize(GeneratorGraph.Build(network.Shape, vocabulary, settings), vocabulary, network, validationLoss, settings);
    }

    private static byte[] Serialize(GraphBuilder graph, CharVocabulary vocabulary, LanguageNetwork network, double? validationLoss,
        GenerationSettings? settings)
        => OnnxModelFile.Write(graph, LanguageModelWeights.Export(network),
            $"A character-level {network.Shape.Cell} language model ({network.Shape.Layers}×{network.Shape.Hidden}, " +
            $"{vocabulary.Count} characters) exported by Microsoft.ML.Recurrent.",
            new OnnxMetadata(vocabulary, network.Shape, validationLoss, settings).Entries());
}
