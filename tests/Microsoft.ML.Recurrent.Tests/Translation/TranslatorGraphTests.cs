using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.Recurrent.Tests.Onnx;
using Microsoft.ML.Recurrent.Translation;
using Xunit;
using Xunit.Abstractions;

namespace Microsoft.ML.Recurrent.Tests.Translation;

/// <summary>The exported greedy graph, run by ONNX Runtime, outputs what <see cref="SequenceTranslator.Translate(IReadOnlyList{string}, TranslationDecoding?)"/> outputs greedily.</summary>
public class TranslatorGraphTests(ITestOutputHelper output)
{
    // Part-trained on reversals: outputs vary in length and content (and some run to the length limit), so equality is not trivial.
    [Theory]
    [InlineData(RecurrentCell.Lstm, AttentionScore.General, true, true, 1, false)] // the defaults' architecture
    [InlineData(RecurrentCell.Gru, AttentionScore.Additive, false, true, 1, false)]
    [InlineData(RecurrentCell.Rnn, AttentionScore.Dot, true, false, 1, false)]
    [InlineData(RecurrentCell.Lstm, AttentionScore.Additive, true, true, 2, false)]
    [InlineData(RecurrentCell.Gru, AttentionScore.General, true, false, 2, true)]
    public void Graph_matches_greedy_translation(RecurrentCell cell, AttentionScore score, bool feeding, bool bidirectional, int layers, bool tied)
    {
        var options = SequenceTranslatorTests.Small(iterations: 30);
        options.Cell = cell;
        options.Attention = score;
        options.InputFeeding = feeding;
        options.Bidirectional = bidirectional;
        options.Layers = layers;
        options.TieEmbeddings = tied;
        if (tied) options.AttentionSize = options.TargetEmbeddingSize;
        var translator = SequenceTranslator.Train(SequenceTranslatorTests.Reversals(300, 1), options);
        AssertParity(translator);
    }

    [Fact]
    public void Graph_matches_a_trained_reverser() // 100 iterations: most reversals already right
    {
        var translator = SequenceTranslator.Train(SequenceTranslatorTests.Reversals(2000, 1), SequenceTranslatorTests.Small(iterations: 100));
        AssertParity(translator);
    }

    [Fact]
    public void Export_refuses_beam_search_and_sampling()
    {
        var translator = SequenceTranslator.Train(SequenceTranslatorTests.Reversals(50, 1), SequenceTranslatorTests.Small(iterations: 2));
        using var stream = new MemoryStream();
        Assert.Throws<NotSupportedException>(() => translator.ExportToOnnx(stream, new TranslationDecoding { BeamSize = 4 }));
        Assert.Throws<NotSupportedException>(() => translator.ExportToOnnx(stream, new TranslationDecoding { Temperature = 0.5f }));
        Assert.Throws<ArgumentNullException>(() => translator.ExportToOnnx((Stream)null!));
        Assert.Throws<ArgumentException>(() => translator.ExportToOnnx(new MemoryStream([], writable: false)));
        Assert.Throws<ArgumentOutOfRangeException>(() => translator.ExportToOnnx(stream, new TranslationDecoding { MaxLengthSlack = -1 }));
    }

    [Fact]
    public void Export_to_a_file_writes_the_stream_bytes()
    {
        var translator = SequenceTranslator.Train(SequenceTranslatorTests.Reversals(50, 1), SequenceTranslatorTests.Small(iterations: 2));
        using var dir = new TestData.TempDirectory();
        string path = Path.Combine(dir.File("sub"), "translator.onnx");
        translator.ExportToOnnx(path);
        using var stream = new MemoryStream();
        translator.ExportToOnnx(stream);
        Assert.Equal(stream.ToArray(), File.ReadAllBytes(path));
    }

    private void AssertParity(SequenceTranslator translator)
    {
        // a short length limit as well as the default, so that outputs cut by the limit are compared too
        foreach (var decoding in new[] { TranslationDecoding.Greedy, new TranslationDecoding { MaxLengthRatio = 0.5, MaxLengthSlack = 1 } })
        {
            using var stream = new MemoryStream();
            translator.ExportToOnnx(stream, decoding);
            byte[] onnx = stream.ToArray();
            using var session = OnnxTestModels.Session(onnx);
            var sources = SequenceTranslatorTests.Reversals(36, 7).Select(p => p.Source.ToArray()).ToList();
            sources.Add(["a", "z", "b"]); // "z" never seen: the unknown token
            sources.Add(["h"]);
            var expected = translator.Translate(sources, decoding);
            for (int i = 0; i < sources.Count; i++)
            {
                var (ids, tokens) = Run(session, sources[i]);
                Assert.Equal(expected[i], tokens);
                Assert.Equal(ids.Length, tokens.Length);
            }
            Assert.True(expected.Select(e => string.Join(" ", e)).Distinct().Count() > 5, "too few distinct outputs for a telling comparison");
            Assert.Empty(Run(session, []).Tokens); // documented: no source, no output (Translate refuses it)
            if (decoding == TranslationDecoding.Greedy) OnnxTestModels.Check(output, onnx);
        }
    }

    private static (long[] Ids, string[] Tokens) Run(InferenceSession session, string[] source)
    {
        var input = new DenseTensor<string>(source, [1, source.Length]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(TranslatorGraph.Input, input)]);
        return ([.. results.Single(r => r.Name == TranslatorGraph.Ids).AsEnumerable<long>()],
            [.. results.Single(r => r.Name == TranslatorGraph.Tokens).AsEnumerable<string>()]);
    }
}
