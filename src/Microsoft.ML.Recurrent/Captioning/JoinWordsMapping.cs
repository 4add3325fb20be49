using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Captioning;
using Microsoft.ML.Recurrent.Text;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.Recurrent;

/// <summary>
/// The one step of a saved captioning pipeline that is not built into ML.NET: joining the caption graph's
/// words (a vector of strings) up to &lt;END&gt; into one sentence, skipping empty ones. Stateless, so ML.NET's
/// CustomMapping saves it as this contract name and assembly, and <c>mlContext.Model.Load</c> finds it again.
/// </summary>
[CustomMappingFactoryAttribute(ContractName)]
internal sealed class JoinWordsMapping : CustomMappingFactory<JoinWordsMapping.Words, JoinWordsMapping.Sentence>
{
    public const string ContractName = "Microsoft.ML.Recurrent.JoinCaptionWords";

    /// <summary>The joined sentence's (temporary) column.</summary>
    public const string TextColumn = "caption_text";

    public override Action<Words, Sentence> GetMapping()
        => static (src, dst) => dst.Value = string.Join(' ', src.Values.TakeWhile(w => w != WordVocabulary.EndSymbol).Where(w => w.Length > 0));

    /// <summary>Input row: the caption graph's words.</summary>
    internal sealed class Words
    {
        [ColumnName(CaptionGraph.Output)]
        public string[] Values { get; set; } = [];
    }

    /// <summary>Output row: the sentence.</summary>
    internal sealed class Sentence
    {
        [ColumnName(TextColumn)]
        public string Value { get; set; } = "";
    }
}
