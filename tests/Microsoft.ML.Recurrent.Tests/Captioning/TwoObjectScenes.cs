namespace Microsoft.ML.Recurrent.Tests.Captioning;

/// <summary>
/// A task for attention that pooled features cannot solve: two objects in 4 regions, each region a colour one-hot, a
/// shape one-hot and its position, channel-major (value c·R + r) as a CNN's map flattens; the caption names both
/// objects left to right ("a red circle and a blue square"). The mean of the regions keeps which colours and shapes are
/// present but not which goes with which.
/// </summary>
internal static class TwoObjectScenes
{
    private static readonly string[] s_colours = ["red", "green", "blue"], s_shapes = ["circle", "square", "triangle"];
    public const int Regions = 4, Channels = 3 + 3 + Regions, FeatureCount = Channels * Regions;

    // -> features [C·R], the caption, and the regions of the two objects
    public static (List<float[]> Features, List<string> Captions, List<(int First, int Second)> Slots) Make(int count, int seed)
    {
        var random = new Random(seed);
        var features = new List<float[]>();
        var captions = new List<string>();
        var slots = new List<(int, int)>();
        for (int i = 0; i < count; i++)
        {
            int first = random.Next(Regions - 1), second = first + 1 + random.Next(Regions - 1 - first);
            var x = new float[FeatureCount];
            for (int j = 0; j < x.Length; j++) x[j] = (float)(random.NextDouble() * 0.1);
            for (int r = 0; r < Regions; r++) x[(6 + r) * Regions + r] += 1f; // where each region is
            var words = new List<string>();
            foreach (int r in new[] { first, second })
            {
                int c = random.Next(3), s = random.Next(3);
                x[c * Regions + r] += 1f;
                x[(3 + s) * Regions + r] += 1f;
                words.Add($"a {s_colours[c]} {s_shapes[s]}");
            }
            features.Add(x);
            captions.Add(string.Join(" and ", words));
            slots.Add((first, second));
        }
        return (features, captions, slots);
    }

    public static CaptionerOptions Options(ImageConditioning conditioning) => new()
    {
        Conditioning = conditioning,
        AttentionRegions = Regions,
        AttentionSize = 16,
        EmbeddingSize = 8,
        HiddenSize = 32,
        MaxEpochs = 25,
        BatchSize = 16,
        LearningRate = 0.01f,
        Seed = 5,
    };

    /// <summary>The mean of the regions: what a pooled captioner reads.</summary>
    public static float[] Pooled(float[] x)
        => [.. Enumerable.Range(0, Channels).Select(c => x.AsSpan(c * Regions, Regions).ToArray().Average())];
}
