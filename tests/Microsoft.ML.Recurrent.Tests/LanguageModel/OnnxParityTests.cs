using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Onnx;

/// <summary>Our engine and ONNX Runtime, running the exported graphs, agree on random weights.</summary>
public sealed class OnnxParityTests
{
    public static TheoryData<RecurrentCell, int> Stacks()
    {
        var data = new TheoryData<RecurrentCell, int>();
        foreach (var cell in new[] { RecurrentCell.Rnn, RecurrentCell.Lstm, RecurrentCell.Gru })
            for (int layers = 1; layers <= 3; layers++) data.Add(cell, layers);
        return data;
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public void Next_character_probabilities_match_ours(RecurrentCell cell, int layers)
    {
        var model = OnnxTestModels.Random(cell, layers, seed: 10 * layers + (int)cell);
        byte[] onnx = OnnxTestModels.LanguageModelBytes(model);
        var random = new Random(layers);
        int[] ids = [.. Enumerable.Range(0, 40).Select(_ => random.Next(model.Vocabulary.Count))];

        using var session = OnnxTestModels.Session(onnx);
        var theirs = OnnxTestModels.OnnxProbabilities(session, ids);
        var ours = OnnxTestModels.OurProbabilities(model, ids);

        Assert.Equal(ours.Length, theirs.Length);
        float maxDiff = ours.Zip(theirs, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(maxDiff <= 1e-4f, $"{cell} × {layers}: max |Δp| = {maxDiff:E2}");
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public void Greedy_generation_matches_ours(RecurrentCell cell, int layers)
    {
        var model = OnnxTestModels.Random(cell, layers, seed: 100 + 10 * layers + (int)cell, scale: 1f);
        using var session = OnnxTestModels.Session(model.ExportGenerator(maxLength: 60, temperature: 0, seed: 0));
        foreach (string prompt in new[] { "the cat sat", "é😀!", "" })
        {
            Assert.Equal(model.Generate(prompt, 60, temperature: 0), OnnxTestModels.OnnxGenerate(session, prompt).Text);
        }
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public void Sampled_generation_replays_our_random_stream(RecurrentCell cell, int layers)
    {
        var model = OnnxTestModels.Random(cell, layers, seed: 200 + 10 * layers + (int)cell, scale: 1f);
        using var session = OnnxTestModels.Session(model.ExportGenerator(maxLength: 60, temperature: 0.8f, seed: 3));
        Assert.Equal(model.Generate("the cat sat", 60, temperature: 0.8f, seed: 3), OnnxTestModels.OnnxGenerate(session, "the cat sat").Text);
    }
}
