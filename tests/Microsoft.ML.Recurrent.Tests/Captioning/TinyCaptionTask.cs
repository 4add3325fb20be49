namespace Microsoft.ML.Recurrent.Tests.Captioning;

/// <summary>
/// A synthetic task small enough for unit tests: the "image" is a one-hot colour and a one-hot shape plus
/// noise, and its captions name them in two paraphrases.
/// </summary>
internal static class TinyCaptionTask
{
    public static readonly string[] Colours = ["red", "green", "blue"];
    public static readonly string[] Shapes = ["circle", "square", "triangle"];
    public const int FeatureCount = 8;

    public static (List<float[]> Features, List<IReadOnlyList<string>> Captions, List<(string Colour, string Shape)> Truth) Make(int count, int seed)
    {
        var random = new Random(seed);
        var features = new List<float[]>();
        var captions = new List<IReadOnlyList<string>>();
        var truth = new List<(string, string)>();
        for (int i = 0; i < count; i++)
        {
            int c = random.Next(Colours.Length), s = random.Next(Shapes.Length);
            var x = Enumerable.Range(0, FeatureCount).Select(_ => (float)(random.NextDouble() * 0.2)).ToArray();
            x[c] += 1f;
            x[Colours.Length + s] += 1f;
            features.Add(x);
            captions.Add([$"a {Colours[c]} {Shapes[s]}", $"there is a {Colours[c]} {Shapes[s]} here"]);
            truth.Add((Colours[c], Shapes[s]));
        }
        return (features, captions, truth);
    }

    public static CaptionerOptions Options(RecurrentCell cell, ImageConditioning conditioning) => new()
    {
        Cell = cell,
        Conditioning = conditioning,
        EmbeddingSize = 8,
        HiddenSize = 24,
        MaxEpochs = 30,
        BatchSize = 8,
        LearningRate = 0.01f,
        Seed = 3,
    };

    /// <summary>
    /// A captioner trained for only a few epochs on 40 images (seed 4), and those images: its distributions are not
    /// yet peaked, so greedy, sampled and beam decodings differ.
    /// </summary>
    public static (ImageCaptioner Captioner, List<float[]> Features) HalfTrained(RecurrentCell cell, int epochs)
    {
        var (features, captions, _) = Make(40, seed: 4);
        var options = Options(cell, ImageConditioning.Both);
        options.MaxEpochs = epochs;
        return (ImageCaptioner.Train(features, captions, options), features);
    }

    /// <summary>Fraction of captions that name the right colour directly before the right shape.</summary>
    public static double AttributeAccuracy(IReadOnlyList<string> captions, IReadOnlyList<(string Colour, string Shape)> truth)
        => captions.Zip(truth).Count(p => p.First.Contains($"{p.Second.Colour} {p.Second.Shape}", StringComparison.Ordinal)) / (double)captions.Count;
}
