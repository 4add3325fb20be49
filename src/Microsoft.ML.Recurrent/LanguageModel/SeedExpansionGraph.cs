using Microsoft.ML.Recurrent.Onnx;

namespace Microsoft.ML.Recurrent.LanguageModel;

/// <summary>
/// A small ONNX graph of a seeded generation pipeline: a row's seed <see cref="Input"/> [1, 1] (int32; ML.NET's
/// OnnxTransformer hands a scalar column over with a batch dimension) →
/// <see cref="Output"/> [MaxLength] (int32, the seed repeated). It exists to carry MaxLength into the saved
/// pipeline: <see cref="SamplingUniformsMapping"/> is stateless (ML.NET recreates a custom mapping from its contract name
/// alone), so it learns how many uniforms to draw from the length of this vector.
/// </summary>
internal static class SeedExpansionGraph
{
    public const string Name = "sampling_seed_expansion";
    public const string Input = "sampling_seed", Output = "sampling_seeds";

    public static byte[] Build(int maxLength)
    {
        var g = new GraphBuilder(Name);
        g.Graph.Inputs.Add(new ValueInfoProto(Input, ElementType.Int32, [1, 1]));
        g.AddNamed("Expand", [g.Add("Reshape", [Input, g.Int64s(1)]), g.Int64s(maxLength)], Output);
        g.Graph.Outputs.Add(new ValueInfoProto(Output, ElementType.Int32, [maxLength]));
        g.Graph.DocString = $"{Input}: int32 [1, 1], a row's sampling seed; {Output}: int32 [{maxLength}], the seed once per generated character.";
        return OnnxModelFile.Write(g, [], "Repeats a sampling seed once per generated character (Microsoft.ML.Recurrent).", []);
    }
}
