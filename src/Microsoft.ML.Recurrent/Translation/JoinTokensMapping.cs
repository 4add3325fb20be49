using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.Recurrent.Translation;

/// <summary>
/// The one step of a saved translation pipeline that is not built into ML.NET: joining the translation graph's output
/// tokens (a vector of strings) into one text, separated by single spaces. Neither ONNX at opset 17 nor ML.NET joins
/// the slots of a text vector. Stateless, so ML.NET's CustomMapping saves it as this contract name and assembly, and
/// <c>mlContext.Model.Load</c> finds it again with no registration.
/// </summary>
[CustomMappingFactoryAttribute(ContractName)]
internal sealed class JoinTokensMapping : CustomMappingFactory<JoinTokensMapping.Tokens, JoinTokensMapping.Text>
{
    public const string ContractName = "Microsoft.ML.Recurrent.JoinTranslatedTokens";

    /// <summary>The joined text's (temporary) column.</summary>
    public const string TextColumn = "translation_text";

    public override Action<Tokens, Text> GetMapping() => static (src, dst) => dst.Value = string.Join(' ', src.Values);

    /// <summary>Input row: the translation graph's tokens.</summary>
    internal sealed class Tokens
    {
        [ColumnName(TranslatorGraph.Tokens)]
        public string[] Values { get; set; } = [];
    }

    /// <summary>Output row: the joined text.</summary>
    internal sealed class Text
    {
        [ColumnName(TextColumn)]
        public string Value { get; set; } = "";
    }
}
