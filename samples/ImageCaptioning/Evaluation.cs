using ImageCaptioning.Scenes;
using Microsoft.ML;
using Microsoft.ML.Recurrent;

namespace ImageCaptioning;

/// <summary>Captions of one test split with their scores.</summary>
public sealed record SplitResult(string Name, IReadOnlyList<CaptionedImage> Images, IReadOnlyList<string> Captions,
    CaptionMetrics Metrics, double? AttributeAccuracy);

/// <summary>Captions a split through the fitted pipeline and scores it (BLEU, CIDEr, attributes against scenes.tsv).</summary>
public static class Evaluation
{
    public static SplitResult Run(MLContext ml, ITransformer model, string name, IReadOnlyList<CaptionedImage> images,
        Dictionary<string, List<(string Colour, string Shape)>> scenes)
    {
        var output = model.Transform(CaptioningPipeline.Load(ml, images));
        var captions = ml.Data.CreateEnumerable<CaptionPrediction>(output, reuseRowObject: false).Select(p => p.Caption).ToList();
        var metrics = CaptionEvaluator.Evaluate(captions, [.. images.Select(i => i.Captions)]);
        double? accuracy = images.All(i => scenes.ContainsKey(i.ImagePath))
            ? images.Zip(captions).Count(p => SceneCaptions.AttributesCorrect(p.Second, scenes[p.First.ImagePath])) / (double)images.Count
            : null;
        return new SplitResult(name, images, captions, metrics, accuracy);
    }

    public static void Print(SplitResult r)
    {
        var m = r.Metrics;
        string attributes = r.AttributeAccuracy is double a ? $", attributes correct {a:P1}" : "";
        Console.WriteLine($"{r.Name,-15} {r.Images.Count,4} images: BLEU-1 {m.Bleu1:F3}  BLEU-2 {m.Bleu2:F3}  BLEU-3 {m.Bleu3:F3}  " +
            $"BLEU-4 {m.Bleu4:F3}  CIDEr {m.Cider:F3}{attributes}");
    }
}
