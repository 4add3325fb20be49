using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.LanguageModel;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.Recurrent;

/// <summary>
/// The one step of a saved generation pipeline that is not built into ML.NET: joining the generator graph's
/// characters (a vector of strings) into one text. Neither ONNX at opset 17 nor ML.NET has a transform that
/// concatenates the slots of a text vector. It is stateless, so ML.NET's CustomMapping saves it as just this
/// contract name and this assembly's name, and <c>mlContext.Model.Load</c> finds it again by itself (it loads
/// the named assembly and registers its factories); no registration call is needed.
/// </summary>
[CustomMappingFactoryAttribute(ContractName)]
internal sealed class JoinCharactersMapping : CustomMappingFactory<JoinCharactersMapping.Characters, JoinCharactersMapping.Text>
{
    public const string ContractName = "Microsoft.ML.Recurrent.JoinGeneratedCharacters";

    /// <summary>The joined text's (temporary) column.</summary>
    public const string TextColumn = "generated_text";

    public override Action<Characters, Text> GetMapping() => static (src, dst) => dst.Value = string.Concat(src.Values);

    /// <summary>Input row: the generator graph's characters.</summary>
    internal sealed class Characters
    {
        [ColumnName(GeneratorGraph.CharsOutput)]
        public string[] Values { get; set; } = [];
    }

    /// <summary>Output row: the joined text.</summary>
    internal sealed class Text
    {
        [ColumnName(TextColumn)]
        public string Value { get; set; } = "";
    }
}
