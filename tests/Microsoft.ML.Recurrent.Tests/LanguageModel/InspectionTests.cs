using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Models;

public class InspectionTests
{
    private const string Source = "class A {\n    void F(int x) { G(\"a {b}\", '\"', x[0]); } // {\n}\n";

    private static CharLanguageModel Model(RecurrentCell cell, int layers = 2) => CharLanguageModel.Train(
        string.Concat(Enumerable.Repeat(Source, 20)),
        new() { Cell = cell, HiddenSize = 12, Layers = layers, BatchSize = 4, SequenceLength = 16, MaxIterations = 3, ValidationFraction = 0, Seed = 3 });

    private static string Text(int length) => string.Concat(Enumerable.Repeat(Source, length / Source.Length + 1))[..length];

    [Fact]
    public void TheTopLayerStatesGiveTheModelsOwnLoss()
    {
        // Evaluate reads a 51-character text as one stream from the zero state, through the output layer; the same
        // loss from the recorded top-layer states says they are the states the model predicts from.
        var model = Model(RecurrentCell.Lstm);
        string text = Text(51);
        var a = model.Inspect(text);
        var output = model.Network.Output;
        var ids = model.VocabularyMap.Encode(text);
        int v = model.Vocabulary.Count;
        double total = 0;
        var logits = new float[v];
        for (int t = 0; t < 50; t++)
        {
            output.Forward(a.Get(ActivationKind.Hidden, 1, t), logits, 1);
            double max = logits.Max(), sum = logits.Sum(l => Math.Exp(l - max));
            total -= logits[ids[t + 1]] - max - Math.Log(sum);
        }
        Assert.Equal(model.Evaluate(text), total / 50, 5);
    }

    [Theory]
    [InlineData(RecurrentCell.Lstm)]
    [InlineData(RecurrentCell.Gru)]
    [InlineData(RecurrentCell.Rnn)]
    public void ChunksCarryTheStateAcrossTheirBoundaries(RecurrentCell cell)
    {
        // 300 steps are three chunks of the recorder; one chunk of 300 steps must give the same activations.
        var model = Model(cell);
        string text = Text(300);
        var chunked = model.Inspect(text);
        var whole = LanguageModelActivations.Record(model.Network, chunked.Characters, model.VocabularyMap.Encode(text), chunkSteps: 300);
        Assert.Equal(300, chunked.Steps);
        foreach (var kind in chunked.Kinds)
            for (int l = 0; l < 2; l++)
                for (int t = 0; t < 300; t++)
                    Assert.Equal(whole.Get(kind, l, t).ToArray(), chunked.Get(kind, l, t).ToArray());
    }

    [Fact]
    public void LstmGatesAndStatesSatisfyTheCellEquations()
    {
        var a = Model(RecurrentCell.Lstm).Inspect(Text(140));
        Assert.Equal([ActivationKind.Hidden, ActivationKind.Cell, ActivationKind.InputGate, ActivationKind.ForgetGate, ActivationKind.OutputGate, ActivationKind.Candidate], a.Kinds);
        for (int l = 0; l < a.Layers; l++)
            for (int t = 1; t < a.Steps; t++)
                for (int j = 0; j < a.HiddenSize; j++)
                {
                    float i = a.Get(ActivationKind.InputGate, l, t)[j], f = a.Get(ActivationKind.ForgetGate, l, t)[j];
                    float o = a.Get(ActivationKind.OutputGate, l, t)[j], g = a.Get(ActivationKind.Candidate, l, t)[j];
                    float c = f * a.Get(ActivationKind.Cell, l, t - 1)[j] + i * g;
                    Assert.Equal(c, a.Get(ActivationKind.Cell, l, t)[j], 4);
                    Assert.Equal(o * MathF.Tanh(c), a.Get(ActivationKind.Hidden, l, t)[j], 4);
                    Assert.InRange(g, -1f, 1f);
                }
    }

    [Fact]
    public void GruGatesAndStatesSatisfyTheCellEquations()
    {
        var a = Model(RecurrentCell.Gru).Inspect(Text(140));
        Assert.Equal([ActivationKind.Hidden, ActivationKind.ResetGate, ActivationKind.UpdateGate, ActivationKind.Candidate], a.Kinds);
        for (int l = 0; l < a.Layers; l++)
            for (int t = 1; t < a.Steps; t++)
                for (int j = 0; j < a.HiddenSize; j++)
                {
                    float z = a.Get(ActivationKind.UpdateGate, l, t)[j], n = a.Get(ActivationKind.Candidate, l, t)[j];
                    Assert.Equal((1 - z) * n + z * a.Get(ActivationKind.Hidden, l, t - 1)[j], a.Get(ActivationKind.Hidden, l, t)[j], 4);
                    Assert.InRange(a.Get(ActivationKind.ResetGate, l, t)[j], 0f, 1f);
                }
    }

    [Fact]
    public void BadRequestsAreClearErrors()
    {
        var model = Model(RecurrentCell.Gru, layers: 1);
        Assert.Throws<ArgumentException>(() => model.Inspect(""));
        Assert.Contains("never saw", Assert.Throws<ArgumentException>(() => model.Inspect("class Ω")).Message);
        var a = model.Inspect("class");
        Assert.Contains("records no Cell", Assert.Throws<ArgumentException>(() => a.Trace(ActivationKind.Cell, 0, 0)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => a.Trace(ActivationKind.Hidden, 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => a.Get(ActivationKind.Hidden, 0, 5));
        Assert.Contains("has 3 values for 5 steps", Assert.Throws<ArgumentException>(() => CellSearch.Rank(a, [new TextFeature("f", [1, 2, 3])])).Message);
    }

    [Fact]
    public void TheSearchFindsTheUnitAFeatureWasMadeFrom()
    {
        var a = Model(RecurrentCell.Lstm).Inspect(Text(200));
        var planted = a.Trace(ActivationKind.Cell, 1, 7).Select(x => -2.0 * x + 1).ToArray(); // r = −1 with layer 1's unit 7
        var ranked = CellSearch.Rank(a, [new TextFeature("planted", planted), new TextFeature("constant", new double[200])], top: 3);
        Assert.Equal(3, ranked.Count); // the constant feature has no correlation
        Assert.Equal((ActivationKind.Cell, 1, 7), (ranked[0].Kind, ranked[0].Layer, ranked[0].Unit));
        Assert.Equal(-1, ranked[0].Correlation, 6);
        Assert.True(Math.Abs(ranked[1].Correlation) <= Math.Abs(ranked[0].Correlation) && Math.Abs(ranked[2].Correlation) <= Math.Abs(ranked[1].Correlation));
    }

    [Fact]
    public void StandardFeaturesFollowStringsCommentsNestingAndLines()
    {
        var chars = Source.Select(c => c.ToString()).ToArray();
        var f = TextFeature.Standard(chars).ToDictionary(x => x.Name, x => x.Values);
        string Marked(string name) => string.Concat(chars.Select((c, t) => f[name][t] > 0 ? c : "_"));
        int quote = Source.IndexOf("\"a", StringComparison.Ordinal);
        Assert.Equal(new string('_', quote) + "\"a {b}\"" + new string('_', 20), Marked("inside a string")[..(quote + 27)]); // not the '"' literal
        int comment = Source.IndexOf("//", StringComparison.Ordinal);
        Assert.Equal(0, f["inside a comment"][comment - 1]);
        Assert.Equal(1, f["inside a comment"][comment + 3]);
        Assert.Equal(0, f["inside a comment"][Source.Length - 1]); // the comment ends with its line
        // Braces: class { → 1, method { → 2, the ones inside the string and the comment do not count, } → 1, last } → 0.
        Assert.Equal(2, f["brace depth"][Source.IndexOf("G(", StringComparison.Ordinal)]);
        Assert.Equal(1, f["brace depth"][comment]);
        Assert.Equal(0, f["brace depth"][Source.Length - 2]);
        Assert.Equal(1, f["parenthesis depth"][Source.IndexOf("\"a", StringComparison.Ordinal)]); // G( (F(int x) closed)
        Assert.Equal(1, f["parenthesis depth"][Source.IndexOf("x)", StringComparison.Ordinal)]);
        Assert.Equal(1, f["bracket depth"][Source.IndexOf("[0", StringComparison.Ordinal) + 1]);
        Assert.Equal(0, f["bracket depth"][Source.IndexOf("]", StringComparison.Ordinal)]);
        int secondLine = Source.IndexOf('\n') + 1;
        Assert.Equal([0, 1, 2], f["position in line"][(secondLine - 1)..(secondLine + 2)]);
        Assert.Equal(4, f["indentation"][secondLine + 10]);
        Assert.Equal(0, f["indentation"][secondLine - 3]);
    }
}
