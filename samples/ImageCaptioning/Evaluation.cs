using ImageCaptioning.Scenes;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent;

namespace ImageCaptioning;

/// <summary>
/// Captions of one split by one decoding, with their scores (attribute accuracies only where scenes.tsv describes the
/// images) and the features they were written from.
/// </summary>
public sealed record SplitResult(string Name, string Decoding, IReadOnlyList<CaptionedImage> Images, IReadOnlyList<float[]> Features,
    IReadOnlyList<string> Captions, CaptionMetrics Metrics, double? AttributeAccuracy, IReadOnlyDictionary<int, double> AccuracyByObjectCount);

/// <summary>Captions a split through the fitted pipeline and scores it (BLEU, CIDEr, attributes against scenes.tsv).</summary>
public static class Evaluation
{
    /// <summary>
    /// The split featurized once through the pipeline: its greedy captions (the pipeline's own, an ONNX graph) and, with
    /// <paramref name="beam"/> &gt; 1, the captioner's beam search on the same features.
    /// </summary>
    public static IReadOnlyList<SplitResult> Run(MLContext ml, TransformerChain<CaptionerTransformer> model, string name, IReadOnlyList<CaptionedImage> images,
        Dictionary<string, List<(string Colour, string Shape)>> scenes, int beam)
    {
        var rows = ml.Data.CreateEnumerable<CaptionedFeatures>(model.Transform(CaptioningPipeline.Load(ml, images)), reuseRowObject: false).ToList();
        var features = rows.Select(r => r.Features).ToList();
        var results = new List<SplitResult> { Score(name, "greedy", images, features, [.. rows.Select(r => r.Caption)], scenes) };
        if (beam > 1)
        {
            var captioner = model.LastTransformer.Captioner;
            results.Add(Score(name, $"beam {beam}", images, features, [.. features.Select(f => Caption(captioner, f, beam))], scenes));
        }
        return results;
    }

    /// <summary>The captioner's own caption: greedy, or a beam search of width <paramref name="beam"/> &gt; 1.</summary>
    public static string Caption(ImageCaptioner captioner, float[] features, int beam)
        => beam > 1 ? captioner.Caption(features, CaptionDecoding.BeamSearch, beam) : captioner.Caption(features, CaptionDecoding.Greedy);

    private static SplitResult Score(string name, string decoding, IReadOnlyList<CaptionedImage> images, IReadOnlyList<float[]> features, List<string> captions,
        Dictionary<string, List<(string Colour, string Shape)>> scenes)
    {
        var metrics = CaptionEvaluator.Evaluate(captions, [.. images.Select(i => i.Captions)]);
        if (!images.All(i => scenes.ContainsKey(i.ImagePath)))
            return new SplitResult(name, decoding, images, features, captions, metrics, null, new Dictionary<int, double>());
        var scored = images.Zip(captions, (i, c) => (Count: scenes[i.ImagePath].Count, Correct: SceneCaptions.AttributesCorrect(c, scenes[i.ImagePath]))).ToList();
        var byCount = scored.GroupBy(s => s.Count).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.Average(s => s.Correct ? 1.0 : 0.0));
        return new SplitResult(name, decoding, images, features, captions, metrics, scored.Average(s => s.Correct ? 1.0 : 0.0), byCount);
    }

    public static void Print(SplitResult r)
    {
        var m = r.Metrics;
        string attributes = r.AttributeAccuracy is double a
            ? $", attributes correct {a:P1} (" + string.Join(", ", r.AccuracyByObjectCount.Select(p => $"{p.Key} object{(p.Key == 1 ? "" : "s")} {p.Value:P1}")) + ")"
            : "";
        Console.WriteLine($"{r.Name,-15} {r.Decoding,-7} {r.Images.Count,4} images: BLEU-1 {m.Bleu1:F3}  BLEU-2 {m.Bleu2:F3}  BLEU-3 {m.Bleu3:F3}  " +
            $"BLEU-4 {m.Bleu4:F3}  CIDEr {m.Cider:F3}{attributes}");
    }
}
