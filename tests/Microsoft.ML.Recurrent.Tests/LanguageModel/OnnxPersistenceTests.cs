using System.Text.Json;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Recurrent.Onnx;
using Microsoft.ML.Transforms.Text;
using Xunit;
using Xunit.Abstractions;

namespace Microsoft.ML.Recurrent.Tests.Onnx;

/// <summary>
/// A pipeline holding a <see cref="CharLanguageModelTransformer"/> survives plain mlContext.Model.Save / Load,
/// in this process and in a fresh one, and our engine reads the model back out of the zip.
/// </summary>
public sealed class OnnxPersistenceTests(ITestOutputHelper output)
{
    private static readonly string[] s_prompts = ["The cat", "hello, world", "unknown ZQ chars é😀", ""];

    public sealed class Raw
    {
        public string Text { get; set; } = "";
    }

    public sealed class Generation
    {
        public string Generated { get; set; } = "";
    }

    /// <summary>Lower-cases the text with ML.NET's normalizer, then continues it: a pipeline around our transformer.</summary>
    private static (MLContext Ml, ITransformer Pipeline, DataViewSchema Schema, CharLanguageModelTransformer Lm) Pipeline(float temperature)
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new Raw { Text = "x" } });
        var normalizer = ml.Transforms.Text.NormalizeText("Prompt", "Text", TextNormalizingEstimator.CaseMode.Lower).Fit(data);
        var lm = new CharLanguageModelTransformer(OnnxTestModels.Random(RecurrentCell.Lstm, 2, seed: 4, scale: 1f), "Generated", "Prompt",
            maxLength: 30, temperature: temperature, seed: 9);
        return (ml, normalizer.Append(lm), data.Schema, lm);
    }

    private static string[] Predict(MLContext ml, ITransformer model)
    {
        var engine = ml.Model.CreatePredictionEngine<Raw, Generation>(model);
        return [.. s_prompts.Select(p => engine.Predict(new Raw { Text = p }).Generated)];
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(0.9f)]
    public void Save_then_Load_in_a_new_context_gives_the_same_text(float temperature)
    {
        var (ml, pipeline, schema, lm) = Pipeline(temperature);
        string[] before = Predict(ml, pipeline);
        Assert.Equal(lm.Model.Generate("the cat", 30, temperature, 9), before[0]);

        using var zip = new MemoryStream();
        ml.Model.Save(pipeline, schema, zip);
        zip.Position = 0;
        var fresh = new MLContext(seed: 123);
        var loaded = fresh.Model.Load(zip, out var loadedSchema);
        Assert.NotNull(loadedSchema.GetColumnOrNull("Text"));
        Assert.Equal(before, Predict(fresh, loaded));
    }

    [Fact]
    public void A_fresh_process_loads_the_zip_with_plain_Model_Load()
    {
        var (ml, pipeline, schema, _) = Pipeline(temperature: 0.7f);
        using var dir = new TestData.TempDirectory();
        string path = dir.File("lm.zip");
        ml.Model.Save(pipeline, schema, path);

        string helper = SampleProcess.Dll("LoadCheckDll");
        Assert.True(File.Exists(helper), $"The load-check helper was not built at {helper}.");
        var (code, output) = OnnxTestModels.RunProcess("dotnet", [helper, path, "Text", "Generated", .. s_prompts]);
        Assert.True(code == 0, output);
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Predict(ml, pipeline), lines.Select(l => JsonSerializer.Deserialize<string>(l)!).ToArray());
    }

    [Fact]
    public void Our_engine_reads_the_model_back_out_of_the_zip()
    {
        var (ml, pipeline, schema, lm) = Pipeline(temperature: 0);
        using var zip = new MemoryStream();
        ml.Model.Save(pipeline, schema, zip);
        zip.Position = 0;
        var back = CharLanguageModel.LoadOnnx(zip);

        Assert.Equal(lm.Model.Vocabulary, back.Vocabulary);
        Assert.Equal((lm.Model.Cell, lm.Model.Layers, lm.Model.HiddenSize), (back.Cell, back.Layers, back.HiddenSize));
        Assert.Equal(lm.Model.Network.Parameters.Values, back.Network.Parameters.Values);
        Assert.Equal(lm.Model.Generate("hello", 50, 0), back.Generate("hello", 50, 0));
    }

    [Fact]
    public void Transformer_exports_the_graph_it_saves()
    {
        var (_, _, _, lm) = Pipeline(temperature: 0);
        using var onnx = new MemoryStream();
        lm.ExportToOnnx(onnx);
        using var session = OnnxTestModels.Session(onnx.ToArray());
        Assert.Equal(lm.Model.Generate("hello", 30, 0, 9), OnnxTestModels.OnnxGenerate(session, "hello").Text);
        OnnxTestModels.Check(output, onnx.ToArray());
    }

    [Fact]
    public void Unavailable_CUDA_falls_back_to_the_CPU_with_one_warning_or_throws_when_asked()
    {
        var model = OnnxTestModels.Random(RecurrentCell.Gru, 1);
        var warnings = new List<string>();
        var lm = new CharLanguageModelTransformer(model, "Generated", "Prompt", maxLength: 10, temperature: 0,
            execution: new OnnxExecutionOptions { GpuDeviceId = 0, Warning = warnings.Add });
        var ml = new MLContext();
        var engine = ml.Model.CreatePredictionEngine<PromptRow, Generation>(lm);
        Assert.Equal(model.Generate("abc", 10, 0), engine.Predict(new PromptRow { Prompt = "abc" }).Generated);
        if (warnings.Count == 0)
        {
            // Only the GPU build (-p:OnnxRuntimeGpu=true) on a CUDA machine runs without falling back.
            Assert.Contains("CUDAExecutionProvider", OrtEnv.Instance().GetAvailableProviders());
            return;
        }
        string warning = Assert.Single(warnings);
        Assert.Contains("CUDA device 0", warning);
        Assert.Contains("CPU", warning);

        var e = Assert.Throws<InvalidOperationException>(() => new CharLanguageModelTransformer(model, "Generated", "Prompt", maxLength: 10,
            execution: new OnnxExecutionOptions { GpuDeviceId = 0, FallbackToCpu = false }));
        Assert.Contains("CUDA", e.Message);
    }

    public sealed class PromptRow
    {
        public string Prompt { get; set; } = "";
    }
}
