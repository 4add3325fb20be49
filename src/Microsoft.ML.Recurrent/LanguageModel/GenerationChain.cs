using Microsoft.ML.Recurrent.LanguageModel;
using Microsoft.ML.Recurrent.Onnx;
using Microsoft.ML.Transforms.Onnx;

namespace Microsoft.ML.Recurrent;

/// <summary>
/// Builds the ML.NET pipeline that carries a generator graph (<see cref="GeneratorGraph"/>), made only of
/// steps that <c>mlContext.Model.Save</c> writes and <c>mlContext.Model.Load</c> reads back with no
/// registration:
/// <list type="number">
/// <item>with a seed column only: a copy of the row's seed → <see cref="SeedExpansionGraph"/> in ML.NET's
/// OnnxTransformer → <see cref="SamplingUniformsMapping"/>: the seed's sampling uniforms, the graph's second input;</item>
/// <item>ML.NET's character tokenizer: prompt text → its UTF-16 code units, as keys (uint16, the graph's input);</item>
/// <item>ML.NET's OnnxTransformer running the graph (the ONNX bytes are stored in the zip): → characters;</item>
/// <item><see cref="JoinCharactersMapping"/>: characters → one text;</item>
/// <item>copy to the user's output column, and drop the temporary columns.</item>
/// </list>
/// Mapping text to token ids (vocabulary lookup, unknown characters, the empty prompt) happens inside the
/// graph, so the vocabulary lives in one place.
/// </summary>
internal static class GenerationChain
{
    // The columns the chain makes for a while (the graphs' input and output names), dropped at its end.
    private static readonly string[] s_textColumns = [GeneratorGraph.Input, GeneratorGraph.CharsOutput, JoinCharactersMapping.TextColumn];
    private static readonly string[] s_seedColumns = [SeedExpansionGraph.Input, SeedExpansionGraph.Output, GeneratorGraph.UniformsInput];

    /// <summary>Column names the chain uses for a while; user columns may not use them.</summary>
    public static readonly string[] TemporaryColumns = [.. s_seedColumns, .. s_textColumns];

    /// <summary>
    /// The chain around <paramref name="generator"/>, which reads its uniforms from <see cref="GeneratorGraph.UniformsInput"/>
    /// when <paramref name="seedColumnName"/> is given (an Int32 column) and has none otherwise.
    /// </summary>
    public static ITransformer Create(byte[] generator, OnnxPlacement placement, string inputColumnName, string outputColumnName,
        string? seedColumnName, int maxLength)
    {
        // A private context: the chain needs one to be built, and the session options are set on it alone.
        var ml = new MLContext(seed: 0);
        ml.SetOnnxSessionOption(new OnnxSessionOptions { CreateSessionOptions = () => placement.CreateSessionOptions() });
        var tokenizer = ml.Transforms.Text.TokenizeIntoCharactersAsKeys(GeneratorGraph.Input, inputColumnName, useMarkerCharacters: false);
        IEstimator<ITransformer> prompt = tokenizer;
        string[] graphInputs = [GeneratorGraph.Input], temporary = s_textColumns;
        if (seedColumnName is not null)
        {
            prompt = ml.Transforms.CopyColumns(SeedExpansionGraph.Input, seedColumnName)
                .Append(ml.Transforms.ApplyOnnxModel([SeedExpansionGraph.Output], [SeedExpansionGraph.Input], new MemoryStream(SeedExpansionGraph.Build(maxLength))))
                .Append(ml.Transforms.CustomMapping(new SamplingUniformsMapping().GetMapping(), SamplingUniformsMapping.ContractName))
                .Append(tokenizer);
            graphInputs = [GeneratorGraph.Input, GeneratorGraph.UniformsInput];
            temporary = TemporaryColumns;
        }
        var estimator = prompt
            .Append(ml.Transforms.ApplyOnnxModel([GeneratorGraph.CharsOutput], graphInputs, new MemoryStream(generator)))
            .Append(ml.Transforms.CustomMapping(new JoinCharactersMapping().GetMapping(), JoinCharactersMapping.ContractName))
            .Append(ml.Transforms.CopyColumns(outputColumnName, JoinCharactersMapping.TextColumn))
            .Append(ml.Transforms.DropColumns(temporary));
        // Nothing is learned: fitting only binds the steps to a schema with the prompt (and seed) column.
        return estimator.Fit(GenerationMapping.EmptyPrompts(ml, inputColumnName, seedColumnName));
    }
}
