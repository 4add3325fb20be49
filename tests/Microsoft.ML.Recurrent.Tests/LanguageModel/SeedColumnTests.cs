using System.Reflection;
using System.Text.Json;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.Recurrent.Decoding;
using Microsoft.ML.Recurrent.LanguageModel;
using Microsoft.ML.Recurrent.Tests.Onnx;
using Xunit;
using Xunit.Abstractions;

namespace Microsoft.ML.Recurrent.Tests.MLNet;

/// <summary>
/// A per-row seed column (issue 15): each row samples its own stream, the text the C# sampler gives with that seed, in
/// memory, after Model.Save / Load, and in a fresh process; the exported graph takes the uniforms as an input; bad seed
/// columns are named in the exception.
/// </summary>
public sealed class SeedColumnTests(ITestOutputHelper output)
{
    private const int MaxLength = 40;
    private const float Temperature = 1f;
    private static readonly CharLanguageModel s_model = OnnxTestModels.Random(RecurrentCell.Lstm, 2, seed: 4, scale: 1f);

    public sealed class SeededRow
    {
        public string Prompt { get; set; } = "";

        public int Seed { get; set; }
    }

    public sealed class FloatSeedRow
    {
        public string Prompt { get; set; } = "";

        public float Seed { get; set; }
    }

    public sealed class PromptRow
    {
        public string Prompt { get; set; } = "";
    }

    public sealed class Generation
    {
        public string Generated { get; set; } = "";
    }

    private static readonly SeededRow[] s_rows =
    [
        new() { Prompt = "the cat", Seed = 1 },
        new() { Prompt = "the cat", Seed = 2 },
        new() { Prompt = "the cat", Seed = 1 },
        new() { Prompt = "hello, world", Seed = -7 },
        new() { Prompt = "", Seed = int.MaxValue },
    ];

    private static CharLanguageModelTransformer Seeded(float temperature = Temperature)
        => new(s_model, "Generated", "Prompt", MaxLength, temperature, seed: 9, seedColumnName: "Seed");

    private static string[] Expected(float temperature = Temperature)
        => [.. s_rows.Select(r => s_model.Generate(r.Prompt, MaxLength, temperature, r.Seed))];

    private static string[] Transform(MLContext ml, ITransformer model, IEnumerable<SeededRow> rows)
        => [.. ml.Data.CreateEnumerable<Generation>(model.Transform(ml.Data.LoadFromEnumerable(rows)), reuseRowObject: false).Select(g => g.Generated)];

    [Fact]
    public void Same_prompt_with_different_seeds_gives_different_text()
    {
        var ml = new MLContext(seed: 1);
        string[] texts = Transform(ml, Seeded(), s_rows);
        Assert.NotEqual(texts[0], texts[1]);
        Assert.Equal(texts[0], texts[2]);
    }

    [Fact]
    public void Each_row_gives_the_text_the_CSharp_sampler_gives_with_its_seed()
    {
        var ml = new MLContext(seed: 1);
        var lm = Seeded();
        Assert.Equal(Expected(), Transform(ml, lm, s_rows));
        var engine = ml.Model.CreatePredictionEngine<SeededRow, Generation>(lm);
        Assert.Equal(Expected(), s_rows.Select(r => engine.Predict(r).Generated).ToArray());
    }

    [Fact]
    public void Greedy_decoding_ignores_the_seed_column()
    {
        var ml = new MLContext(seed: 1);
        Assert.Equal(Expected(temperature: 0), Transform(ml, Seeded(temperature: 0), s_rows));
    }

    [Fact]
    public void Without_a_seed_column_every_row_samples_with_the_options_seed()
    {
        var ml = new MLContext(seed: 1);
        var lm = new CharLanguageModelTransformer(s_model, "Generated", "Prompt", MaxLength, Temperature, seed: 9);
        Assert.Null(lm.SeedColumnName);
        var engine = ml.Model.CreatePredictionEngine<SeededRow, Generation>(lm);
        string expected = s_model.Generate("the cat", MaxLength, Temperature, 9);
        Assert.Equal(expected, engine.Predict(s_rows[0]).Generated);
        Assert.Equal(expected, engine.Predict(s_rows[1]).Generated);
    }

    [Fact]
    public void Seeds_still_work_after_Save_and_Load_in_a_new_context()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(s_rows);
        using var zip = new MemoryStream();
        ml.Model.Save(Seeded(), data.Schema, zip);
        zip.Position = 0;
        var fresh = new MLContext(seed: 123);
        var loaded = fresh.Model.Load(zip, out _);
        Assert.Equal(Expected(), Transform(fresh, loaded, s_rows));
        zip.Position = 0;
        Assert.Equal(s_model.Network.Parameters.Values, CharLanguageModel.LoadOnnx(zip).Network.Parameters.Values);
    }

    [Fact]
    public void Seeds_still_work_in_a_fresh_process_with_plain_Model_Load()
    {
        var ml = new MLContext(seed: 1);
        using var dir = new TestData.TempDirectory();
        string path = dir.File("seeded.zip");
        ml.Model.Save(Seeded(), ml.Data.LoadFromEnumerable(s_rows).Schema, path);

        string helper = typeof(SeedColumnTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "LoadCheckDll").Value!;
        string[] pairs = [.. s_rows.SelectMany(r => new[] { r.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture), r.Prompt })];
        var (code, output) = OnnxTestModels.RunProcess("dotnet", [helper, "--seeds", path, "Prompt", "Seed", "Generated", .. pairs]);
        Assert.True(code == 0, output);
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Expected(), lines.Select(l => JsonSerializer.Deserialize<string>(l)!).ToArray());
    }

    [Fact]
    public void Exported_graph_takes_the_uniforms_as_an_input()
    {
        using var onnx = new MemoryStream();
        Seeded().ExportToOnnx(onnx);
        using var session = OnnxTestModels.Session(onnx.ToArray());
        Assert.Equal([GeneratorGraph.Input, GeneratorGraph.UniformsInput], session.InputMetadata.Keys.ToArray());
        foreach (var row in s_rows.Where(r => r.Prompt.Length > 0))
        {
            var units = new DenseTensor<ushort>(row.Prompt.Select(c => (ushort)c).ToArray(), [1, row.Prompt.Length]);
            var uniforms = new DenseTensor<double>(SamplingUniforms.Draw(row.Seed, MaxLength), [1, MaxLength]);
            using var results = session.Run([NamedOnnxValue.CreateFromTensor(GeneratorGraph.Input, units), NamedOnnxValue.CreateFromTensor(GeneratorGraph.UniformsInput, uniforms)]);
            string text = string.Concat(results.Single(r => r.Name == GeneratorGraph.CharsOutput).AsEnumerable<string>());
            Assert.Equal(s_model.Generate(row.Prompt, MaxLength, Temperature, row.Seed), text);
        }
        OnnxTestModels.Check(output, onnx.ToArray(), SeedExpansionGraph.Build(MaxLength));
    }

    [Fact]
    public void Missing_seed_column_gives_an_exception_naming_it()
    {
        var ml = new MLContext(seed: 1);
        var lm = Seeded();
        var prompts = ml.Data.LoadFromEnumerable(new[] { new PromptRow { Prompt = "the cat" } });
        var transform = Assert.Throws<ArgumentOutOfRangeException>(() => lm.Transform(prompts));
        Assert.Contains("Seed column 'Seed' not found", transform.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => ml.Model.CreatePredictionEngine<PromptRow, Generation>(lm));

        var estimator = ml.Transforms.Text.TrainCharLanguageModel("Generated", "Prompt", new CharLanguageModelEstimator.Options
        {
            TrainingOptions = TinyLanguageModelFixture.TinyOptions(),
            SeedColumnName = "Seed",
        });
        Assert.Contains("'Seed'", Assert.Throws<ArgumentOutOfRangeException>(() => estimator.Fit(prompts)).Message);
        Assert.Contains("'Seed'", Assert.Throws<ArgumentOutOfRangeException>(() => estimator.GetOutputSchema(OutputSchemaTests.ShapeOf(prompts.Schema))).Message);
    }

    [Fact]
    public void Non_integer_seed_column_gives_an_exception_naming_it_and_the_type()
    {
        var ml = new MLContext(seed: 1);
        var floats = ml.Data.LoadFromEnumerable(new[] { new FloatSeedRow { Prompt = "the cat", Seed = 1 } });
        var transform = Assert.Throws<InvalidOperationException>(() => Seeded().Transform(floats));
        Assert.Contains("Seed column 'Seed' must be of type Int32", transform.Message);
        Assert.Contains("Single", transform.Message);

        var estimator = ml.Transforms.Text.TrainCharLanguageModel("Generated", "Prompt", seedColumnName: "Seed");
        Assert.Contains("Int32", Assert.Throws<InvalidOperationException>(() => estimator.Fit(floats)).Message);
        Assert.Contains("Int32", Assert.Throws<InvalidOperationException>(() => estimator.GetOutputSchema(OutputSchemaTests.ShapeOf(floats.Schema))).Message);
    }

    [Fact]
    public void Seed_column_may_not_be_the_prompt_column_or_a_temporary_one()
    {
        Assert.Throws<ArgumentException>(() => new CharLanguageModelTransformer(s_model, "Generated", "Prompt", seedColumnName: "Prompt"));
        Assert.Throws<ArgumentException>(() => new CharLanguageModelTransformer(s_model, "Generated", "Prompt", seedColumnName: GeneratorGraph.UniformsInput));
    }

    [Fact]
    public void Estimator_passes_the_seed_column_to_the_fitted_transformer()
    {
        var ml = new MLContext(seed: 1);
        var corpus = ml.Data.LoadFromEnumerable(TinyLanguageModelFixture.CorpusLines().Select((l, i) => new SeededRow { Prompt = l, Seed = i }));
        var options = TinyLanguageModelFixture.TinyOptions();
        options.MaxIterations = 2;
        var lm = ml.Transforms.Text.TrainCharLanguageModel("Generated", "Prompt", new CharLanguageModelEstimator.Options
        {
            TrainingOptions = options,
            MaxLength = 20,
            Temperature = Temperature,
            SeedColumnName = "Seed",
        }).Fit(corpus);
        Assert.Equal("Seed", lm.SeedColumnName);
        var row = new SeededRow { Prompt = "the cat", Seed = 5 };
        var engine = ml.Model.CreatePredictionEngine<SeededRow, Generation>(lm);
        Assert.Equal(lm.Model.Generate(row.Prompt, 20, Temperature, 5), engine.Predict(row).Generated);
        Assert.Equal("Seed", ml.Transforms.Text.TrainCharLanguageModel("Generated", "Prompt", seedColumnName: "Seed").SeedColumnName);
    }
}
