using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Captioning;

namespace Microsoft.ML.Recurrent;

/// <summary>
/// What a <see cref="CaptionerTransformer"/> runs and saves: features column → copy to the graph's input →
/// ML.NET's OnnxTransformer running <see cref="CaptionGraph"/> → <see cref="JoinWordsMapping"/> → output column.
/// Every step is built into ML.NET or registered by contract, so <c>mlContext.Model.Save/Load</c> work unchanged,
/// and the captions before Save are the captions after Load because the same engine writes both.
/// </summary>
internal static class CaptionChain
{
    /// <summary>Column names the chain uses for a while; user columns may not use them.</summary>
    public static readonly string[] TemporaryColumns = [CaptionGraph.Input, CaptionGraph.Output, JoinWordsMapping.TextColumn];

    public static ITransformer Create(byte[] graph, int featureCount, string featuresColumnName, string outputColumnName)
    {
        var ml = new MLContext(seed: 0);
        var estimator = ml.Transforms.CopyColumns(CaptionGraph.Input, featuresColumnName)
            .Append(ml.Transforms.ApplyOnnxModel([CaptionGraph.Output], [CaptionGraph.Input], new MemoryStream(graph)))
            .Append(ml.Transforms.CustomMapping(new JoinWordsMapping().GetMapping(), JoinWordsMapping.ContractName))
            .Append(ml.Transforms.CopyColumns(outputColumnName, JoinWordsMapping.TextColumn))
            .Append(ml.Transforms.DropColumns(TemporaryColumns));
        // Nothing is learned: fitting only binds the steps to a schema with the features column.
        var schema = SchemaDefinition.Create(typeof(CaptionMapping.FeatureRow));
        schema[0].ColumnName = featuresColumnName;
        schema[0].ColumnType = new VectorDataViewType(NumberDataViewType.Single, featureCount);
        return estimator.Fit(ml.Data.LoadFromEnumerable(Array.Empty<CaptionMapping.FeatureRow>(), schema));
    }
}
