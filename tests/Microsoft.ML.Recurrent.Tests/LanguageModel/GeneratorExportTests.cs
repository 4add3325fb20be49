using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Onnx;

/// <summary>The public <see cref="CharLanguageModel.ExportGeneratorToOnnx"/>: what it writes runs in ONNX Runtime as Generate does.</summary>
public sealed class GeneratorExportTests
{
    [Theory]
    [InlineData(0f, 0)]
    [InlineData(0.8f, 5)]
    public void The_written_generator_runs_in_onnx_runtime_and_gives_Generates_text(float temperature, int seed)
    {
        var model = OnnxTestModels.Random(RecurrentCell.Lstm, layers: 2, seed: 31, scale: 1f);
        using var file = new MemoryStream();
        model.ExportGeneratorToOnnx(file, maxLength: 40, temperature, seed);
        using var session = OnnxTestModels.Session(file.ToArray());
        Assert.Equal(model.Generate("the cat", 40, temperature, seed), OnnxTestModels.OnnxGenerate(session, "the cat").Text);
        Assert.Equal(model.Network.Parameters.Values, CharLanguageModel.LoadOnnx(new MemoryStream(file.ToArray())).Network.Parameters.Values);
    }

    [Fact]
    public void Bad_arguments_are_named()
    {
        var model = OnnxTestModels.Random(RecurrentCell.Gru, layers: 1);
        Assert.Throws<ArgumentNullException>("stream", () => model.ExportGeneratorToOnnx(null!, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.ExportGeneratorToOnnx(new MemoryStream(), 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.ExportGeneratorToOnnx(new MemoryStream(), 10, temperature: -1f));
    }
}
