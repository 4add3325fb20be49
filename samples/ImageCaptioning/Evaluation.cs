using ImageCaptioning.Scenes;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent;

namespace ImageCaptioning;

/// <summary>Captions of one split with their scores; attribute accuracies only where scenes.tsv describes the images.</summary>
public sealed record SplitResult(string Name, IReadOnlyList<CaptionedImage> Images, IReadOnlyList<string> Captions,
    CaptionMetrics Metrics, double? AttributeAccuracy, IReadOnlyDictionary<int, double> AccuracyByObjectCount);

/// <summary>Captions a split through the fitted pipeline and scores it (BLEU, CIDEr, attributes against scenes.tsv).</summary>
public static class Evaluation
{
    /// <summary>Captions through the pipeline (greedy), or with a beam of <paramref name="beam"/> &gt; 1 on the pipeline's features.</summary>
    public static SplitResult Run(MLContext ml, TransformerChain<CaptionerTransformer> model, string name, IReadOnlyList<CaptionedImage> images,
        Dictionary<string, List<(string Colour, string Shape)>> scenes, int beam)
    {
        var output = model.Transform(CaptioningPipeline.Load(ml, images));
        List<string> captions = beam > 1
            ? [.. ml.Data.CreateEnumerable<FeatureRow>(output, reuseRowObject: false).Select(f => Caption(model.LastTransformer.Captioner, f.Features, beam))]
            : [.. ml.Data.CreateEnumerable<CaptionPrediction>(output, reuseRowObject: false).Select(p => p.Caption)];
        var metrics = CaptionEvaluator.Evaluate(captions, [.. images.Select(i => i.Captions)]);
        if (!images.All(i => scenes.ContainsKey(i.ImagePath))) return new SplitResult(name, images, captions, metrics, null, new Dictionary<int, double>());
        var scored = images.Zip(captions, (i, c) => (Count: scenes[i.ImagePath].Count, Correct: SceneCaptions.AttributesCorrect(c, scenes[i.ImagePath]))).ToList();
        var byCount = scored.GroupBy(s => s.Count).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.Average(s => s.Correct ? 1.0 : 0.0));
        return new SplitResult(name, images, captions, metrics, scored.Average(s => s.Correct ? 1.0 : 0.0), byCount);
    }

    /// <summary>The captioner's own caption: greedy, or a beam search of width <paramref name="beam"/> &gt; 1.</summary>
    public static string Caption(ImageCaptioner captioner, float[] features, int beam)
        => beam > 1 ? captioner.Caption(features, CaptionDecoding.BeamSearch, beam) : captioner.Caption(features, CaptionDecoding.Greedy);

    public static void Print(SplitResult r)
    {
        var m = r.Metrics;
        string attributes = r.AttributeAccuracy is double a
            ? $", attributes correct {a:P1} (" + string.Join(", ", r.AccuracyByObjectCount.Select(p => $"{p.Key} object{(p.Key == 1 ? "" : "s")} {p.Value:P1}")) + ")"
            : "";
        Console.WriteLine($"{r.Name,-15} {r.Images.Count,4} images: BLEU-1 {m.Bleu1:F3}  BLEU-2 {m.Bleu2:F3}  BLEU-3 {m.Bleu3:F3}  " +
            $"BLEU-4 {m.Bleu4:F3}  CIDEr {m.Cider:F3}{attributes}");
    }
}
