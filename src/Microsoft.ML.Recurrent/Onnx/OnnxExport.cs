using System.Reflection;
using Microsoft.ML.Recurrent.Models;

namespace Microsoft.ML.Recurrent.Onnx;

/// <summary>Serializes a network as one of our ONNX graphs, weights and metadata included.</summary>
internal static class OnnxExport
{
    private const string Producer = "Microsoft.ML.Recurrent";

    /// <summary>The next-character distribution graph (<see cref="LanguageModelGraph"/>).</summary>
    public static byte[] LanguageModel(CharVocabulary vocabulary, LanguageNetwork network, double? validationLoss)
        => Serialize(LanguageModelGraph.Build(network.Shape), LanguageModelGraph.Name, vocabulary, network, validationLoss, null);

    /// <summary>The generator graph (<see cref="GeneratorGraph"/>).</summary>
    public static byte[] Generator(CharVocabulary vocabulary, LanguageNetwork network, double? validationLoss, GenerationSettings settings)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(settings.MaxLength, nameof(settings.MaxLength));
        if (!float.IsFinite(settings.Temperature) || settings.Temperature < 0)
            throw new ArgumentOutOfRangeException(nameof(settings), settings.Temperature, "Temperature must be finite and non-negative (0 = greedy).");
        return Serialize(GeneratorGraph.Build(network.Shape, vocabulary, settings), GeneratorGraph.Name, vocabulary, network, validationLoss, settings);
    }

    private static byte[] Serialize(GraphBuilder graph, string kind, CharVocabulary vocabulary, LanguageNetwork network,
        double? validationLoss, GenerationSettings? settings)
    {
        var weights = NetworkWeights.Export(network).ToList();
        graph.Graph.Initializers.InsertRange(0, weights);
        var model = new ModelProto(graph.Graph)
        {
            ProducerName = Producer,
            ProducerVersion = typeof(OnnxExport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "",
            DocString = $"A character-level {network.Shape.Cell} language model ({network.Shape.Layers}×{network.Shape.Hidden}, " +
                        $"{vocabulary.Count} characters) exported by Microsoft.ML.Recurrent.",
        };
        new OnnxMetadata(kind, vocabulary, network.Shape, validationLoss, settings, NetworkWeights.Checksum(weights)).WriteTo(model.Metadata);
        return OnnxFormat.Write(model);
    }
}
