using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Tests.MLNet;
using Microsoft.ML.Recurrent.Tests.Onnx;
using Microsoft.ML.Recurrent.Translation;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Translation;

/// <summary>The translator as an ML.NET estimator: on word and character tokens, saved and reloaded, and its column checks.</summary>
public class TranslatorPipelineTests
{
    private sealed class PairRow
    {
        public string Source { get; set; } = "";
        public string Target { get; set; } = "";
    }

    private sealed class WrongRow
    {
        public string SourceTokens { get; set; } = "a"; // text, not a vector of tokens
    }

    private sealed class Prediction
    {
        public string Output { get; set; } = "";
    }

    private static List<PairRow> Rows(int count, int seed, string separator)
        => [.. SequenceTranslatorTests.Reversals(count, seed).Select(p => new PairRow { Source = string.Join(separator, p.Source), Target = string.Join(separator, p.Target) })];

    [Fact]
    public void Fits_on_words_and_saves_what_it_transforms()
    {
        var ml = new MLContext(seed: 1);
        var training = ml.Data.LoadFromEnumerable(Rows(2000, 1, " "));
        var targets = ml.Transforms.Text.TokenizeIntoWords("TargetTokens", "Target").Fit(training).Transform(training); // training only
        var estimator = ml.Transforms.Text.TokenizeIntoWords("SourceTokens", "Source")
            .Append(ml.Transforms.Text.TrainTranslator("Output", "SourceTokens", "TargetTokens", SequenceTranslatorTests.Small(iterations: 100)));
        var declared = estimator.GetOutputSchema(OutputSchemaTests.ShapeOf(targets.Schema));
        Assert.Equal(TextDataViewType.Instance, declared.Last(c => c.Name == "Output").ItemType);
        var model = estimator.Fit(targets);

        var test = ml.Data.LoadFromEnumerable(Rows(40, 5, " ").Append(new PairRow { Source = "a z b" })); // "z" never seen: the unknown token
        var written = Outputs(ml, model.Transform(test));
        var empty = ml.Data.LoadFromEnumerable(new[] { new PairRow { Source = "a b" }, new PairRow { Source = " " } });
        Assert.Equal("", Outputs(ml, model.Transform(empty))[1]); // documented: a row with no source token gets an empty output
        var translator = model.LastTransformer.Translator;
        var sources = ml.Data.CreateEnumerable<PairRow>(test, reuseRowObject: false).Select(r => r.Source.Split(' ')).ToList();
        Assert.Equal(translator.Translate(sources).Select(t => string.Join(' ', t)), written);
        Assert.True(written.Count(w => w.Length > 0) > 30, string.Join(" | ", written.Take(5)));
        Assert.Equal(TextDataViewType.Instance, model.GetOutputSchema(test.Schema)["Output"].Type);

        using var dir = new TestData.TempDirectory();
        string zip = dir.File("translator.zip");
        ml.Model.Save(model, test.Schema, zip);
        var loaded = new MLContext(seed: 2).Model.Load(zip, out _);
        Assert.Equal(written, Outputs(ml, loaded.Transform(test)));
        Assert.Equal(TextDataViewType.Instance, loaded.GetOutputSchema(test.Schema)["Output"].Type);

        string helper = SampleProcess.Dll("LoadCheckDll");
        string[] texts = [.. ml.Data.CreateEnumerable<PairRow>(test, reuseRowObject: false).Take(12).Select(r => r.Source)];
        var (code, output) = OnnxTestModels.RunProcess("dotnet", [helper, zip, "Source", "Output", .. texts]);
        Assert.True(code == 0, output);
        Assert.Equal(written.Take(12), output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => System.Text.Json.JsonSerializer.Deserialize<string>(l)!));
    }

    [Fact]
    public void Fits_on_character_keys_read_as_their_values()
    {
        var ml = new MLContext(seed: 1);
        var training = ml.Data.LoadFromEnumerable(Rows(300, 1, ""));
        var tokens = ml.Transforms.Text.TokenizeIntoCharactersAsKeys("SourceKeys", "Source", useMarkerCharacters: false)
            .Append(ml.Transforms.Text.TokenizeIntoCharactersAsKeys("TargetKeys", "Target", useMarkerCharacters: false))
            .Fit(training).Transform(training);
        var model = ml.Transforms.Text.TrainTranslator("Output", "SourceKeys", "TargetKeys", SequenceTranslatorTests.Small(iterations: 30)).Fit(tokens);
        var written = Outputs(ml, model.Transform(tokens)).Take(40).ToList();
        var sources = TranslatorColumns.Read(tokens, "SourceKeys", "source").Take(40).ToList();
        Assert.Equal(model.Translator.Translate(sources).Select(t => string.Join(' ', t)), written);
        Assert.Contains(written, w => w.Length > 0);
    }

    [Fact]
    public void Without_a_seed_of_its_own_it_takes_the_MLContexts()
    {
        float[] Weights(int contextSeed)
        {
            var ml = new MLContext(seed: contextSeed);
            var data = ml.Data.LoadFromEnumerable(Rows(100, 1, " "));
            var tokens = ml.Transforms.Text.TokenizeIntoWords("SourceTokens", "Source").Append(ml.Transforms.Text.TokenizeIntoWords("TargetTokens", "Target")).Fit(data).Transform(data);
            var options = SequenceTranslatorTests.Small(iterations: 2);
            options.Seed = null;
            return [.. ml.Transforms.Text.TrainTranslator("Output", "SourceTokens", "TargetTokens", options).Fit(tokens).Translator.Network.Parameters.Values];
        }
        Assert.Equal(Weights(5), Weights(5));
        Assert.NotEqual(Weights(5), Weights(6));
    }

    [Fact]
    public void Missing_and_mistyped_columns_and_empty_rows_are_refused()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows(20, 1, " "));
        var tokens = ml.Transforms.Text.TokenizeIntoWords("SourceTokens", "Source").Append(ml.Transforms.Text.TokenizeIntoWords("TargetTokens", "Target")).Fit(data).Transform(data);
        var options = SequenceTranslatorTests.Small(iterations: 2);
        Assert.Contains("'Missing' was not found", Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Text.TrainTranslator("Output", "Missing", "TargetTokens", options).Fit(tokens)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Text.TrainTranslator("Output", "SourceTokens", "Missing", options).GetOutputSchema(OutputSchemaTests.ShapeOf(tokens.Schema)));
        Assert.Contains("must be a vector of text", Assert.Throws<InvalidOperationException>(() => ml.Transforms.Text.TrainTranslator("Output", "Source", "TargetTokens", options).Fit(tokens)).Message);
        Assert.Throws<InvalidOperationException>(() => ml.Transforms.Text.TrainTranslator("Output", "SourceTokens", "Target", options).GetOutputSchema(OutputSchemaTests.ShapeOf(tokens.Schema)));
        Assert.Contains("used internally", Assert.Throws<ArgumentException>(() => ml.Transforms.Text.TrainTranslator("translation_text", "SourceTokens", "TargetTokens", options)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Text.TrainTranslator("Output", "SourceTokens", "TargetTokens", new SequenceTranslatorOptions { LearningRate = float.NaN }));

        var empty = ml.Data.LoadFromEnumerable(Rows(20, 1, " ").Append(new PairRow { Source = "a", Target = "" }));
        var emptyTokens = ml.Transforms.Text.TokenizeIntoWords("SourceTokens", "Source").Append(ml.Transforms.Text.TokenizeIntoWords("TargetTokens", "Target")).Fit(empty).Transform(empty);
        Assert.Throws<ArgumentException>(() => ml.Transforms.Text.TrainTranslator("Output", "SourceTokens", "TargetTokens", options).Fit(emptyTokens));

        var model = ml.Transforms.Text.TrainTranslator("Output", "SourceTokens", "TargetTokens", options).Fit(tokens);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Transform(data)); // no SourceTokens column
        Assert.Throws<InvalidOperationException>(() => model.Transform(ml.Data.LoadFromEnumerable(new[] { new WrongRow() })));
    }

    private static List<string> Outputs(MLContext ml, IDataView transformed)
        => [.. ml.Data.CreateEnumerable<Prediction>(transformed, reuseRowObject: false).Select(p => p.Output)];
}
