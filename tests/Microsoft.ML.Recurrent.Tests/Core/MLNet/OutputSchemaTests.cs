using System.Reflection;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Tests.Captioning;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.MLNet;

/// <summary>
/// What every estimator declares before Fit is what its transformer produces, and what the saved and reloaded
/// pipeline produces: the same columns, types and annotations, for every task. ML.NET checks a chain with the
/// declared schema before fitting it, so a column or annotation missing there breaks the next step of the chain.
/// </summary>
public sealed class OutputSchemaTests(TinyLanguageModelFixture languageModel) : IClassFixture<TinyLanguageModelFixture>
{
    private sealed class Named
    {
        public string Predicted { get; set; } = "";
    }

    private sealed class CaptionRow
    {
        [VectorType(TinyCaptionTask.FeatureCount)]
        public float[] Features { get; set; } = [];
        public string[] References { get; set; } = [];
    }

    [Fact]
    public void The_catalogs_are_in_namespace_Microsoft_ML_as_MLNets_own_extension_catalogs_are()
    {
        // So `using Microsoft.ML;` alone finds mlContext.Transforms.Text.TrainCharLanguageModel and the trainers.
        Assert.All(new[] { typeof(RecurrentTextCatalog), typeof(RecurrentClassificationCatalog), typeof(CaptionerCatalog), typeof(RecurrentTaggingCatalog) },
            t => Assert.Equal("Microsoft.ML", t.Namespace));
    }

    [Fact]
    public void MapKeyToValue_of_the_multiclass_PredictedLabel_works_in_the_same_chain()
    {
        // What every ML.NET multiclass sample does: it used to fail at Fit with "Input column 'PredictedLabel'
        // doesn't contain key values metadata", because only the fitted transformer had the key values.
        var ml = new MLContext(seed: 1);
        var keys = ml.Data.LoadFromEnumerable(RecurrentClassifierInputTests.ColourNames.Select(c => new RecurrentClassifierInputTests.ClassName { Label = c }));
        var pipeline = RecurrentClassifierInputTests.MulticlassPipeline(ml, keys)
            .Append(ml.Transforms.Conversion.MapKeyToValue("Predicted", "PredictedLabel"));
        var test = RecurrentClassifierInputTests.Colours(100, 2);
        var model = pipeline.Fit(ml.Data.LoadFromEnumerable(RecurrentClassifierInputTests.Colours(400, 1)));
        var predicted = ml.Data.CreateEnumerable<Named>(model.Transform(ml.Data.LoadFromEnumerable(test)), reuseRowObject: false).Select(p => p.Predicted).ToArray();
        Assert.All(predicted, p => Assert.Contains(p, RecurrentClassifierInputTests.ColourNames));
        int right = predicted.Zip(test).Count(p => p.First == p.Second.Label);
        Assert.True(right > 90, $"{right} of 100 named right");

        // Score's slots are named by the classes, in score order, before and after a save and reload.
        var data = ml.Data.LoadFromEnumerable(test);
        foreach (var schema in new[] { model.GetOutputSchema(data.Schema), Reload(ml, model, data).GetOutputSchema(data.Schema) })
        {
            VBuffer<ReadOnlyMemory<char>> slots = default;
            schema["Score"].GetSlotNames(ref slots);
            Assert.Equal(RecurrentClassifierInputTests.ColourNames, slots.DenseValues().Select(n => n.ToString()));
        }
    }

    [Fact]
    public void The_multiclass_estimator_declares_what_its_transformer_and_the_reloaded_pipeline_produce()
    {
        var ml = new MLContext(seed: 1);
        var keys = ml.Data.LoadFromEnumerable(RecurrentClassifierInputTests.ColourNames.Select(c => new RecurrentClassifierInputTests.ClassName { Label = c }));
        var data = ml.Data.LoadFromEnumerable(RecurrentClassifierInputTests.Colours(60, 1));
        AssertDeclaredIsProduced(ml, RecurrentClassifierInputTests.MulticlassPipeline(ml, keys, epochs: 1), data);
    }

    [Fact]
    public void The_binary_estimator_declares_what_its_transformer_and_the_reloaded_pipeline_produce_and_Evaluate_reads_it()
    {
        var ml = new MLContext(seed: 1);
        var rows = RecurrentClassifierInputTests.Colours(60, 1).Select(r => new RecurrentClassifierTests.Sentence { Label = r.Label == "red", Text = r.Text });
        var data = ml.Data.LoadFromEnumerable(rows);
        var pipeline = ml.Transforms.Text.TokenizeIntoWords("Words", "Text")
            .Append(ml.Transforms.Conversion.MapValueToKey("Tokens", "Words"))
            .Append(ml.BinaryClassification.Trainers.Recurrent("Label", "Tokens", hiddenSize: 8, maxEpochs: 1));
        var model = AssertDeclaredIsProduced(ml, pipeline, data);
        // Probability is marked normalized, as ML.NET's calibrated binary trainers mark it, and keeps the logistic of Score.
        var scored = model.Transform(data);
        bool normalized = false;
        scored.Schema["Probability"].Annotations.GetValue("IsNormalized", ref normalized);
        Assert.True(normalized);
        var scores = scored.GetColumn<float>("Score").Zip(scored.GetColumn<float>("Probability")).ToArray();
        Assert.All(scores, p => Assert.Equal(1 / (1 + MathF.Exp(-p.First)), p.Second, 6));
        var metrics = ml.BinaryClassification.Evaluate(scored);
        Assert.Equal(60, metrics.ConfusionMatrix.Counts.Sum(r => r.Sum())); // every row read by ML.NET's evaluator
    }

    [Fact]
    public void A_label_of_the_wrong_type_is_a_clear_error_before_anything_is_fitted()
    {
        var ml = new MLContext(seed: 1);
        var shape = ShapeOf(ml.Data.LoadFromEnumerable(RecurrentClassifierInputTests.Colours(4, 1)).Schema); // Label is text
        var binary = Assert.Throws<InvalidOperationException>(() => ml.BinaryClassification.Trainers.Recurrent("Label", "Text").GetOutputSchema(shape));
        Assert.Contains("binary classification needs a Boolean label", binary.Message);
        var multiclass = Assert.Throws<InvalidOperationException>(() => ml.MulticlassClassification.Trainers.Recurrent("Label", "Text").GetOutputSchema(shape));
        Assert.Contains("multiclass classification needs a UInt32 key label", multiclass.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => ml.MulticlassClassification.Trainers.Recurrent("Missing", "Text").GetOutputSchema(shape));
    }

    [Fact]
    public void The_language_model_estimator_declares_what_its_transformer_and_the_reloaded_pipeline_produce()
    {
        var ml = languageModel.Context;
        var estimator = ml.Transforms.Text.TrainCharLanguageModel("Continuation", "Body", new CharLanguageModelEstimator.Options
        {
            TrainingOptions = TinyLanguageModelFixture.TinyOptions(),
            MaxLength = 4,
        });
        var declared = estimator.GetOutputSchema(ShapeOf(languageModel.Data.Schema));
        AssertSame(declared, languageModel.Transformer.GetOutputSchema(languageModel.Data.Schema));
        AssertSame(declared, Reload(ml, languageModel.Transformer, languageModel.Data).GetOutputSchema(languageModel.Data.Schema));
    }

    [Fact]
    public void The_captioner_estimator_declares_what_its_transformer_and_the_reloaded_pipeline_produce()
    {
        var ml = new MLContext(seed: 1);
        var (features, captions, _) = TinyCaptionTask.Make(20, seed: 1);
        var data = ml.Data.LoadFromEnumerable(features.Zip(captions).Select(p => new CaptionRow { Features = p.First, References = [.. p.Second] }));
        var options = TinyCaptionTask.Options(RecurrentCell.Gru, ImageConditioning.Both);
        options.MaxEpochs = 1;
        AssertDeclaredIsProduced(ml, ml.Transforms.Text.TrainCaptioner("Caption", "Features", "References", options), data);
    }

    [Fact]
    public void Tagger_declares_what_it_produces()
    {
        var ml = new MLContext(seed: 1);
        var data = Tagging.RecurrentTaggerTests.LabelledData(ml, Tagging.RecurrentTaggerTests.Corpus());
        AssertDeclaredIsProduced(ml, Tagging.RecurrentTaggerTests.Pipeline(ml), data);
    }

    // Fits the estimator and checks its declared schema against the transformer's and the reloaded pipeline's.
    private static ITransformer AssertDeclaredIsProduced(MLContext ml, IEstimator<ITransformer> estimator, IDataView data)
    {
        var declared = estimator.GetOutputSchema(ShapeOf(data.Schema));
        var model = estimator.Fit(data);
        AssertSame(declared, model.GetOutputSchema(data.Schema));
        AssertSame(declared, Reload(ml, model, data).GetOutputSchema(data.Schema));
        return model;
    }

    private static ITransformer Reload(MLContext ml, ITransformer model, IDataView data)
    {
        using var zip = new MemoryStream();
        ml.Model.Save(model, data.Schema, zip);
        zip.Position = 0;
        return new MLContext(seed: 5).Model.Load(zip, out _);
    }

    // Every visible column with its vector kind, item type, key-ness and annotations (names, kinds and types).
    private static void AssertSame(SchemaShape declared, DataViewSchema produced)
        => Assert.Equal(Describe(declared), Describe(ShapeOf(produced)));

    // ML.NET keeps SchemaShape.Create internal; it is how its own chains turn a schema into a shape.
    internal static SchemaShape ShapeOf(DataViewSchema schema)
        => (SchemaShape)typeof(SchemaShape).GetMethod("Create", BindingFlags.Static | BindingFlags.NonPublic, [typeof(DataViewSchema)])!.Invoke(null, [schema])!;

    private static string[] Describe(SchemaShape shape)
        => [.. shape.Select(c => $"{c.Name}: {c.Kind} {c.ItemType}{(c.IsKey ? " key" : "")} [{string.Join(", ", Describe(c.Annotations))}]").Order(StringComparer.Ordinal)];
}
