using System.Text.Json;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Tests.Onnx;
using Microsoft.ML.Transforms;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Tagging;

/// <summary>
/// The ML.NET tagger: trained through the catalog on a tiny tagged language, its transformer (the graph inside
/// OnnxTransformer) gives the core tagger's tags — unseen and capitalised words included — and so do the pipeline saved
/// with plain <c>Model.Save</c> and loaded back in this process and in a fresh one; <c>MapKeyToValue</c> follows in the
/// same chain; an empty sentence gets no labels; bad columns and labels are clear errors.
/// </summary>
public sealed class RecurrentTaggerTests(RecurrentTaggerTests.TrainedTagger trained) : IClassFixture<RecurrentTaggerTests.TrainedTagger>
{
    // Unseen words ("zebra", "Kangaroos"), a capitalised known word, a one-word sentence, an empty one.
    internal static readonly string[] Sentences = ["the dog sees a cat", "A zebra likes the fish", "Kangaroos eat", "dog", ""];

    /// <summary>One tagger trained once for the whole class: the pipeline Text → Tokens → tagger → PredictedTags.</summary>
    public sealed class TrainedTagger
    {
        public TrainedTagger()
        {
            Ml = new MLContext(seed: 1);
            Data = LabelledData(Ml, Corpus());
            var model = Pipeline(Ml).Fit(Data);
            Model = model;
            Tagger = model.OfType<RecurrentTaggerTransformer>().Single();
        }

        public MLContext Ml { get; }
        public IDataView Data { get; }
        public ITransformer Model { get; }
        public RecurrentTaggerTransformer Tagger { get; }
    }

    [Fact]
    public void The_transformer_tags_as_the_core_tagger_does()
    {
        var expected = CoreTags(trained.Tagger);
        Assert.Equal(expected, Predict(trained.Ml, trained.Model));
        Assert.True(expected.SelectMany(t => t).Distinct().Count() > 2, "the tags vary"); // 3 labels in the corpus
        Assert.Equal(["DT", "NN", "VB", "DT", "NN"], expected[0]); // learned
    }

    [Fact]
    public void The_saved_pipeline_loaded_back_gives_the_same_tags()
    {
        using var zip = new MemoryStream();
        trained.Ml.Model.Save(trained.Model, trained.Data.Schema, zip);
        zip.Position = 0;
        var fresh = new MLContext(seed: 3);
        var loaded = fresh.Model.Load(zip, out _);
        Assert.Equal(CoreTags(trained.Tagger), Predict(fresh, loaded));
    }

    [Fact]
    public void A_crf_tagger_saved_and_loaded_decodes_with_viterbi_as_the_core_tagger_does()
    {
        var ml = new MLContext(seed: 1);
        var model = Pipeline(ml, crf: true).Fit(trained.Data);
        var tagger = model.OfType<RecurrentTaggerTransformer>().Single();
        Assert.NotNull(tagger.Tagger.Network.Crf);
        using var zip = new MemoryStream();
        ml.Model.Save(model, trained.Data.Schema, zip);
        zip.Position = 0;
        var fresh = new MLContext(seed: 3);
        Assert.Equal(CoreTags(tagger), Predict(fresh, fresh.Model.Load(zip, out _)));
    }

    [Fact]
    public void A_fresh_process_loads_the_zip_with_plain_Model_Load_and_gives_the_same_tags()
    {
        using var dir = new TestData.TempDirectory();
        string path = dir.File("tagger.zip");
        trained.Ml.Model.Save(trained.Model, trained.Data.Schema, path);
        string helper = SampleProcess.Dll("LoadCheckDll");
        Assert.True(File.Exists(helper), $"The load-check helper was not built at {helper}.");
        var (code, output) = OnnxTestModels.RunProcess("dotnet", [helper, "--tags", path, "Text", "PredictedTags", .. Sentences]);
        Assert.True(code == 0, output);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonSerializer.Deserialize<string[]>(l)!).ToArray();
        Assert.Equal(CoreTags(trained.Tagger), lines);
    }

    [Fact]
    public void The_exported_graph_is_the_one_in_the_pipeline_and_describes_its_inputs()
    {
        using var stream = new MemoryStream();
        trained.Tagger.ExportToOnnx(stream);
        var info = Microsoft.ML.Recurrent.Onnx.OnnxModelFile.Read(stream.ToArray(), "the export");
        Assert.Equal(Microsoft.ML.Recurrent.Tagging.TaggerGraph.Name, info.Graph);
        Assert.Contains("rnn_units", info.Model.DocString);
        Assert.Equal(["DT", "NN", "VB"], trained.Tagger.Labels.Order());
    }

    [Fact]
    public void A_label_vector_of_another_length_is_an_error_naming_the_row()
    {
        var ml = new MLContext(seed: 1);
        var data = LabelledData(ml, [new Row { Text = "the dog", TagLine = "DT NN" }, new Row { Text = "a cat sees", TagLine = "DT NN" }]);
        var e = Assert.Throws<InvalidOperationException>(() => Pipeline(ml).Fit(data));
        Assert.Contains("Row 1: 3 tokens but 2 labels", e.Message);
    }

    [Fact]
    public void Key_tokens_are_refused_with_the_reason()
    {
        var ml = new MLContext(seed: 1);
        var data = LabelledData(ml, Corpus());
        var keyed = ml.Transforms.Text.TokenizeIntoWords("Words", "Text").Append(ml.Transforms.Conversion.MapValueToKey("Tokens", "Words"))
            .Append(ml.MulticlassClassification.Trainers.RecurrentTagger("Label", "Tokens"));
        var e = Assert.Throws<InvalidOperationException>(() => keyed.Fit(data));
        Assert.Contains("vector of text", e.Message);
        Assert.Contains("never seen in training keep their spelling", e.Message);
    }

    [Fact]
    public void A_single_label_training_set_is_an_error()
    {
        var ml = new MLContext(seed: 1);
        var data = LabelledData(ml, [new Row { Text = "dog cat", TagLine = "NN NN" }, new Row { Text = "fish", TagLine = "NN" }]);
        Assert.Throws<InvalidOperationException>(() => Pipeline(ml).Fit(data)); // the label column has one key: fewer than 2 labels
    }

    [Fact]
    public void Options_are_validated_when_the_estimator_is_made()
    {
        var ml = new MLContext(seed: 1);
        Assert.Throws<ArgumentException>(() => ml.MulticlassClassification.Trainers.RecurrentTagger(new RecurrentTaggerOptions { TokenColumnName = " " }));
        Assert.Throws<ArgumentOutOfRangeException>(() => ml.MulticlassClassification.Trainers.RecurrentTagger(new RecurrentTaggerOptions { HiddenSize = 0 }));
    }

    /// <summary>Text → Tokens → the tagger (small, a few epochs) → PredictedTags (MapKeyToValue of PredictedLabels).</summary>
    internal static EstimatorChain<KeyToValueMappingTransformer> Pipeline(MLContext ml, bool crf = false)
        => ml.Transforms.Text.TokenizeIntoWords("Tokens", nameof(Row.Text))
            .Append(ml.MulticlassClassification.Trainers.RecurrentTagger(new RecurrentTaggerOptions
            {
                HiddenSize = 16,
                EmbeddingSize = 8,
                CharacterEmbeddingSize = 6,
                CharacterHiddenSize = 6,
                MaxEpochs = 15,
                BatchSize = 8,
                LearningRate = 0.02f,
                Seed = 4,
                UseCrf = crf,
            }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedTags", "PredictedLabels"));

    /// <summary>The rows with the label column: TagLine → Tags → Label (keys), fitted on the rows themselves.</summary>
    internal static IDataView LabelledData(MLContext ml, IEnumerable<Row> rows)
    {
        var raw = ml.Data.LoadFromEnumerable(rows);
        return ml.Transforms.Text.TokenizeIntoWords("Tags", nameof(Row.TagLine)).Append(ml.Transforms.Conversion.MapValueToKey("Label", "Tags"))
            .Fit(raw).Transform(raw);
    }

    /// <summary>Sentences of a tiny language, "DT NN VB DT NN" and "NN VB", the first word capitalised half the time.</summary>
    internal static Row[] Corpus()
    {
        string[] determiners = ["the", "a"], nouns = ["dog", "cat", "bird", "fish", "cats", "dogs"], verbs = ["sees", "likes", "eats", "chases"];
        var rows = new List<Row>();
        for (int i = 0; i < 48; i++)
        {
            string first = determiners[i % 2];
            if (i % 3 == 0) first = char.ToUpperInvariant(first[0]) + first[1..];
            rows.Add(new Row { Text = $"{first} {nouns[i % 6]} {verbs[i % 4]} {determiners[(i / 2) % 2]} {nouns[(i / 3) % 6]}", TagLine = "DT NN VB DT NN" });
            if (i % 4 == 0) rows.Add(new Row { Text = $"{nouns[(i / 4) % 6]} {verbs[(i / 4) % 4]}", TagLine = "NN VB" });
        }
        return [.. rows];
    }

    // The core tagger's labels for Sentences, split as TokenizeIntoWords splits them (on spaces).
    private static string[][] CoreTags(RecurrentTaggerTransformer tagger)
        => [.. Sentences.Select(s => tagger.Tagger.Tag(s.Split(' ', StringSplitOptions.RemoveEmptyEntries)))];

    private static string[][] Predict(MLContext ml, ITransformer model)
    {
        var engine = ml.Model.CreatePredictionEngine<TextRow, TagsRow>(model);
        return [.. Sentences.Select(s => engine.Predict(new TextRow { Text = s }).PredictedTags)];
    }

    internal sealed class Row
    {
        public string Text { get; set; } = "";
        public string TagLine { get; set; } = "";
    }

    private sealed class TextRow
    {
        public string Text { get; set; } = "";
    }

    private sealed class TagsRow
    {
        public string[] PredictedTags { get; set; } = [];
    }
}
