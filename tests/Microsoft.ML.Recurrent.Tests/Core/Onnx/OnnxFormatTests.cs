using Microsoft.ML.Recurrent.Onnx;
using Xunit;
using Xunit.Abstractions;

namespace Microsoft.ML.Recurrent.Tests.Onnx;

/// <summary>What we write is valid ONNX (the onnx checker agrees), reads back unchanged, and describes itself.</summary>
public sealed class OnnxFormatTests(ITestOutputHelper output)
{
    public static TheoryData<RecurrentCell> Cells() => [RecurrentCell.Rnn, RecurrentCell.Lstm, RecurrentCell.Gru];

    /// <summary>Every graph we export: the distribution graph, and the generator greedy and sampling.</summary>
    private static IEnumerable<byte[]> Graphs(CharLanguageModel model)
    {
        yield return OnnxTestModels.LanguageModelBytes(model);
        yield return model.ExportGenerator(maxLength: 5, temperature: 0, seed: 0);
        yield return model.ExportGenerator(maxLength: 5, temperature: 0.7f, seed: 3);
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public void The_onnx_checker_accepts_every_exported_graph(RecurrentCell cell)
        => OnnxTestModels.Check(output, [.. Graphs(OnnxTestModels.Random(cell, layers: 2, hidden: 8))]);

    [Theory]
    [MemberData(nameof(Cells))]
    public void Reading_and_writing_again_gives_the_same_bytes(RecurrentCell cell)
    {
        foreach (byte[] onnx in Graphs(OnnxTestModels.Random(cell, layers: 2, hidden: 8)))
        {
            var model = OnnxFormat.Read(onnx);
            Assert.Equal(onnx, OnnxFormat.Write(model));
            Assert.Equal((8L, 17L), (model.IrVersion, model.Opset));
            Assert.Equal("Microsoft.ML.Recurrent", model.ProducerName);
        }
    }

    [Fact]
    public void Metadata_holds_the_vocabulary_cell_sizes_and_generation_settings()
    {
        var model = OnnxTestModels.Random(RecurrentCell.Gru, layers: 3, hidden: 8);
        var metadata = OnnxFormat.Read(model.ExportGenerator(maxLength: 12, temperature: 0.5f, seed: 4)).Metadata.ToDictionary();
        Assert.Equal(string.Join(' ', OnnxTestModels.Alphabet.EnumerateRunes().Select(r => r.Value).Order()), metadata["ml_recurrent.vocabulary"]);
        Assert.Equal("gru", metadata["ml_recurrent.cell"]);
        Assert.Equal(("8", "3"), (metadata["ml_recurrent.hidden_size"], metadata["ml_recurrent.layers"]));
        Assert.Equal(("12", "0.5", "4"), (metadata["ml_recurrent.max_length"], metadata["ml_recurrent.temperature"], metadata["ml_recurrent.seed"]));
        Assert.Equal("char_generator", metadata["ml_recurrent.graph"]);
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public void LoadOnnx_restores_the_model_from_either_graph(RecurrentCell cell)
    {
        var model = OnnxTestModels.Random(cell, layers: 2, hidden: 8);
        foreach (byte[] onnx in Graphs(model))
        {
            var back = CharLanguageModel.LoadOnnx(new MemoryStream(onnx));
            Assert.Equal(model.Network.Parameters.Values, back.Network.Parameters.Values);
            Assert.Equal(model.Vocabulary, back.Vocabulary);
            Assert.Equal(model.Cell, back.Cell);
        }
    }

    [Fact]
    public void The_generator_skips_unknown_characters_and_starts_an_empty_prompt_from_a_newline()
    {
        var model = OnnxTestModels.Random(RecurrentCell.Lstm, layers: 1, hidden: 8, scale: 1f);
        using var session = OnnxTestModels.Session(model.ExportGenerator(maxLength: 20, temperature: 0, seed: 0));
        Assert.Equal(model.Generate("ab c", 20, 0), OnnxTestModels.OnnxGenerate(session, "aXb Q\u00a0c").Text);
        Assert.Equal(model.Generate("a😀", 20, 0), OnnxTestModels.OnnxGenerate(session, "a\ud83d😀\ude00").Text); // lone surrogates dropped
        Assert.Equal(model.Generate("", 20, 0), OnnxTestModels.OnnxGenerate(session, "").Text);
        Assert.Equal(model.Generate("", 20, 0), OnnxTestModels.OnnxGenerate(session, "XYZ").Text);
        Assert.Equal(model.Generate("\n", 20, 0), model.Generate("", 20, 0));
    }
}
