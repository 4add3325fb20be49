using Microsoft.ML.Recurrent.Captioning;
using Microsoft.ML.Recurrent.Classification;
using Microsoft.ML.Recurrent.LanguageModel;
using Microsoft.ML.Recurrent.Numerics;
using Microsoft.ML.Recurrent.Onnx;
using Microsoft.ML.Recurrent.Tests.Classification;
using Xunit;
using Xunit.Abstractions;

namespace Microsoft.ML.Recurrent.Tests.Onnx;

/// <summary>Every graph kind goes through one writer: the common metadata block, and a checksum that our reader verifies.</summary>
public sealed class OnnxModelFileTests(ITestOutputHelper output)
{
    private const string Source = "the test file";

    /// <summary>Every kind of file we export, and its graph kind.</summary>
    public static TheoryData<string, string> Kinds() => new()
    {
        { "language model", LanguageModelGraph.Name },
        { "greedy generator", GeneratorGraph.Name },
        { "sampling generator", GeneratorGraph.Name },
        { "binary classifier", ClassifierGraph.Name },
        { "multiclass classifier", ClassifierGraph.Name },
        { "captioner", CaptionGraph.Name },
    };

    private static readonly CharLanguageModel s_languageModel = OnnxTestModels.Random(RecurrentCell.Gru, layers: 2, hidden: 8);

    private static byte[] Export(string file) => file switch
    {
        "language model" => OnnxTestModels.LanguageModelBytes(s_languageModel),
        "greedy generator" => s_languageModel.ExportGenerator(maxLength: 5, temperature: 0, seed: 0),
        "sampling generator" => s_languageModel.ExportGenerator(maxLength: 5, temperature: 0.7f, seed: 3),
        "binary classifier" => ClassifierWeights.ToOnnx(ClassifierTestNetworks.Random(RecurrentCell.Lstm, 1, true, SequencePooling.Max, ngramLength: 2), binary: true),
        "multiclass classifier" => ClassifierWeights.ToOnnx(ClassifierTestNetworks.Random(RecurrentCell.Gru, 2, false, SequencePooling.Last), binary: false),
        "captioner" => Captioner(),
        _ => throw new ArgumentOutOfRangeException(nameof(file), file, "Unknown kind of file."),
    };

    private static byte[] Captioner()
    {
        var network = new CaptionNetwork(new CaptionShape(RecurrentCell.Lstm, 6, 3, 4, 5, 2, 0f, ImageConditioning.Both));
        network.Initialize(new RandomSource(1));
        return CaptionGraph.Export(network, ["<START>", "<END>", "<UNK>", "a", "red", "ball"], [0.5f, 0f, -1f], [1f, 2f, 0.5f], new GenerationSettings(6, 0f, 0));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_kind_carries_the_common_metadata_and_a_checksum_of_every_initializer(string file, string kind)
    {
        byte[] onnx = Export(file);
        var model = OnnxFormat.Read(onnx);
        var metadata = model.Metadata.ToDictionary();
        Assert.Equal(kind, metadata["ml_recurrent.graph"]);
        Assert.Equal("2", metadata["ml_recurrent.format_version"]);
        Assert.Equal(OnnxModelFile.Checksum(model.Graph.Initializers), metadata["ml_recurrent.weights_xxhash64"]);
        Assert.All(new[] { "ml_recurrent.cell", "ml_recurrent.hidden_size", "ml_recurrent.layers" }, key => Assert.Contains(key, metadata.Keys));
        Assert.All(metadata.Keys, key => Assert.StartsWith("ml_recurrent.", key));
        Assert.Equal(("Microsoft.ML.Recurrent", 8L, 17L), (model.ProducerName, model.IrVersion, model.Opset));
        Assert.NotEmpty(model.ProducerVersion);
        Assert.Contains("exported by Microsoft.ML.Recurrent", model.DocString);

        var info = OnnxModelFile.Read(onnx, Source);
        Assert.Equal((kind, "2"), (info.Graph, info.FormatVersion));
    }

    [Fact]
    public void The_onnx_checker_accepts_every_kind()
        => OnnxTestModels.Check(output, [.. Kinds().Select(row => Export((string)row[0]))]);

    [Fact]
    public void Each_kind_records_its_settings()
    {
        var classifier = OnnxFormat.Read(Export("binary classifier")).Metadata.ToDictionary();
        Assert.Equal(("lstm", "true", "max", "binary", "2"), (classifier["ml_recurrent.cell"], classifier["ml_recurrent.bidirectional"],
            classifier["ml_recurrent.pooling"], classifier["ml_recurrent.output"], classifier["ml_recurrent.ngram_length"]));
        Assert.Equal(ClassifierTestNetworks.Classes.ToString(System.Globalization.CultureInfo.InvariantCulture), classifier["ml_recurrent.classes"]);
        Assert.Equal("multiclass", OnnxFormat.Read(Export("multiclass classifier")).Metadata.ToDictionary()["ml_recurrent.output"]);

        var captioner = OnnxFormat.Read(Export("captioner")).Metadata.ToDictionary();
        Assert.Equal(("lstm", "5", "2", "3", "Both", "6"), (captioner["ml_recurrent.cell"], captioner["ml_recurrent.hidden_size"],
            captioner["ml_recurrent.layers"], captioner["ml_recurrent.features"], captioner["ml_recurrent.conditioning"], captioner["ml_recurrent.max_length"]));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void A_file_with_any_initializer_altered_is_rejected(string file, string kind)
    {
        byte[] onnx = Export(file);
        int count = OnnxFormat.Read(onnx).Graph.Initializers.Count;
        for (int i = 0; i < count; i++)
        {
            var model = OnnxFormat.Read(onnx);
            var tensor = model.Graph.Initializers[i];
            if (tensor.Type == ElementType.String) tensor.Strings[^1] += "?";
            else tensor.Raw[tensor.Raw.Length / 2] ^= 0x01; // the lowest bit of one byte: the smallest change there is
            var e = Assert.Throws<InvalidDataException>(() => OnnxModelFile.Read(OnnxFormat.Write(model), Source));
            Assert.Contains("checksum", e.Message);
            Assert.Contains(Source, e.Message);
        }
        Assert.True(count > 10, $"{kind}: only {count} initializers");
    }

    [Fact]
    public void LoadOnnx_names_the_file_whose_checksum_differs()
    {
        var model = OnnxFormat.Read(OnnxTestModels.LanguageModelBytes(s_languageModel));
        model.Graph.Initializers.Single(t => t.Name == "output.b").Raw[0] ^= 0x40;
        using var dir = new TestData.TempDirectory();
        string path = dir.File("altered.onnx");
        File.WriteAllBytes(path, OnnxFormat.Write(model));
        var e = Assert.Throws<InvalidDataException>(() => CharLanguageModel.LoadOnnx(path));
        Assert.Contains("checksum", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void A_version_1_language_model_still_loads_and_its_weights_are_still_verified()
    {
        // What the writer produced before the checksum covered every initializer: the network's raw weights only.
        var model = OnnxFormat.Read(OnnxTestModels.LanguageModelBytes(s_languageModel));
        Replace(model, "ml_recurrent.format_version", "1");
        Replace(model, "ml_recurrent.weights_xxhash64", LanguageModelWeights.Checksum(LanguageModelWeights.Export(s_languageModel.Network)));
        var back = CharLanguageModel.LoadOnnx(new MemoryStream(OnnxFormat.Write(model)));
        Assert.Equal(s_languageModel.Network.Parameters.Values, back.Network.Parameters.Values);

        model.Graph.Initializers.Single(t => t.Name == "output.b").Raw[0] ^= 0x40;
        Assert.Contains("checksum", Assert.Throws<InvalidDataException>(() => CharLanguageModel.LoadOnnx(new MemoryStream(OnnxFormat.Write(model)))).Message);

        // Only the language model's importer knows how version 1 was hashed.
        Replace(model, "ml_recurrent.graph", ClassifierGraph.Name);
        Assert.Contains("format version 1", Assert.Throws<InvalidDataException>(() => OnnxModelFile.Read(OnnxFormat.Write(model), Source)).Message);
    }

    [Fact]
    public void Other_format_versions_and_foreign_models_are_refused_by_name()
    {
        var model = OnnxFormat.Read(Export("captioner"));
        Replace(model, "ml_recurrent.format_version", "3");
        Assert.Contains("format version 3", Assert.Throws<InvalidDataException>(() => OnnxModelFile.Read(OnnxFormat.Write(model), Source)).Message);
        model.Metadata.Clear();
        Assert.Contains("not written by Microsoft.ML.Recurrent", Assert.Throws<InvalidDataException>(() => OnnxModelFile.Read(OnnxFormat.Write(model), Source)).Message);
    }

    [Fact]
    public void LoadOnnx_refuses_a_graph_of_another_kind()
    {
        var e = Assert.Throws<InvalidDataException>(() => CharLanguageModel.LoadOnnx(new MemoryStream(Export("captioner"))));
        Assert.Contains($"'{CaptionGraph.Name}' graph, not a language model", e.Message);
    }

    [Fact]
    public void The_writer_refuses_task_entries_outside_our_prefix_or_over_the_common_block()
    {
        foreach (string key in new[] { "cell", "ml_recurrent.graph", "ml_recurrent.format_version", "ml_recurrent.weights_xxhash64" })
        {
            var e = Assert.Throws<ArgumentException>(() => OnnxModelFile.Write(new GraphBuilder("g"), [], "", [new(key, "x")]));
            Assert.Contains(key, e.Message);
        }
    }

    private static void Replace(ModelProto model, string key, string value)
        => model.Metadata[model.Metadata.FindIndex(e => e.Key == key)] = new(key, value);
}
