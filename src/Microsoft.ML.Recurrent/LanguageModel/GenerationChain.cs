using Microsoft.ML.Recurrent.LanguageModel;
using Microsoft.ML.Recurrent.Onnx;
using Microsoft.ML.Transforms.Onnx;

namespace Microsoft.ML.Recurrent;

/// <summary>
/// Builds the ML.NET pipeline that carries a generator graph (<see cref="GeneratorGraph"/>), made only of
/// steps that <c>mlContext.Model.Save</c> writes and <c>mlContext.Model.Load</c> reads back with no
/// registration:
/// <list type="number">
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
    /// <summary>Column names the chain uses for a while (the graph's input and output names); user columns may not use them.</summary>
    public static readonly string[] TemporaryColumns = [GeneratorGraph.Input, GeneratorGraph.CharsOutput, JoinCharactersMapping.TextColumn];

    public static ITransformer Create(byte[] generator, OnnxPlacement placement, string inputColumnName, string outputColumnName)
    {
        // A private context: the chain needs one to be built, and the session options are set on it alone.
        var ml = new MLContext(seed: 0);
        ml.SetOnnxSessionOption(new OnnxSessionOptions { CreateSessionOptions = () => placement.CreateSessionOptions() });
        var estimator = ml.Transforms.Text.TokenizeIntoCharactersAsKeys(GeneratorGraph.Input, inputColumnName, useMarkerCharacters: false)
            .Append(ml.Transforms.ApplyOnnxModel([GeneratorGraph.CharsOutput], [GeneratorGraph.Input], new MemoryStream(generator)))
            .Append(ml.Transforms.CustomMapping(new JoinCharactersMapping().GetMapping(), JoinCharactersMapping.ContractName))
            .Append(ml.Transforms.CopyColumns(outputColumnName, JoinCharactersMapping.TextColumn))
            .Append(ml.Transforms.DropColumns(TemporaryColumns));
        // Nothing is learned: fitting only binds the steps to a schema with the prompt column.
        return estimator.Fit(GenerationMapping.EmptyPrompts(ml, inputColumnName));
    }
}
