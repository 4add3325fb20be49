using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Decoding;
using Microsoft.ML.Recurrent.LanguageModel;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.Recurrent;

/// <summary>
/// The step of a seeded generation pipeline that turns a row's seed into the generator graph's sampling uniforms
/// (<see cref="GeneratorGraph.UniformsInput"/>): the uniforms <see cref="SamplingUniforms"/> draws from that seed, as
/// many as <see cref="SeedExpansionGraph"/> repeated it. The uniforms come from here rather than from a generator
/// inside the graph because they must be our <c>RandomSource</c>'s, for parity with <see cref="CharLanguageModel.Generate"/>,
/// and ONNX at opset 17 has no bitwise operators to compute it. Stateless, so ML.NET's CustomMapping saves it as its
/// contract name and <c>mlContext.Model.Load</c> finds it again by itself, as it does <see cref="JoinCharactersMapping"/>.
/// </summary>
[CustomMappingFactoryAttribute(ContractName)]
internal sealed class SamplingUniformsMapping : CustomMappingFactory<SamplingUniformsMapping.Seeds, SamplingUniformsMapping.Uniforms>
{
    public const string ContractName = "Microsoft.ML.Recurrent.SamplingUniforms";

    public override Action<Seeds, Uniforms> GetMapping()
        => static (src, dst) => dst.Values = src.Values.Length == 0 ? [] : SamplingUniforms.Draw(src.Values[0], src.Values.Length);

    /// <summary>Input row: the row's seed, once per character to generate.</summary>
    internal sealed class Seeds
    {
        [ColumnName(SeedExpansionGraph.Output)]
        public int[] Values { get; set; } = [];
    }

    /// <summary>Output row: the uniforms, one per character to generate.</summary>
    internal sealed class Uniforms
    {
        [ColumnName(GeneratorGraph.UniformsInput)]
        public double[] Values { get; set; } = [];
    }
}
