using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.ML.Recurrent;

namespace ImageCaptioning;

/// <summary>
/// An HTML page: every experiment's scores, the training's loss curve, and test images with their generated and reference
/// captions; for an attention captioner, each word's attention map over the image (the picture darkened where the
/// model did not look while writing that word), as in Show, Attend and Tell's figures.
/// </summary>
public static class HtmlReport
{
    private const int MapSize = 98;

    /// <param name="path">The page to write.</param>
    /// <param name="experiments">The experiments; the first one's images and captions are shown.</param>
    /// <param name="perSplit">How many images of each split are shown.</param>
    /// <param name="curve">An image of the first experiment's loss curves (beside the page or anywhere); null = none.</param>
    public static void Write(string path, IReadOnlyList<ExperimentResult> experiments, int perSplit, string? curve)
    {
        string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var html = new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Image captioning</title><style>")
            .Append("body{font-family:sans-serif;margin:16px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}")
            .Append("td:nth-child(-n+3),th{text-align:left}.item{display:flex;gap:16px;margin:12px 0;align-items:flex-start}")
            .Append(".caption{color:#063;font-weight:bold}li{color:#555;font-size:90%}.maps{display:flex;flex-wrap:wrap;gap:6px}")
            .Append($".map{{text-align:center;font-size:85%}}.cells{{width:{MapSize}px;height:{MapSize}px;background-size:cover;display:grid;")
            .Append("grid-template-columns:repeat(7,1fr);grid-template-rows:repeat(7,1fr)}.cells i{background:#000}</style></head><body><h1>Image captioning</h1>");
        AppendScores(html, experiments);
        if (curve is not null)
            html.Append($"<h2>Training ({Encode(experiments[0].Name)})</h2><img src=\"{Source(folder, curve)}\" width=\"720\" alt=\"training and validation loss\">");
        var main = experiments[0];
        bool attends = main.Captioner.Options.Conditioning.HasFlag(ImageConditioning.Attention);
        foreach (var split in main.Results.Where(r => r.Decoding == "greedy"))
        {
            html.Append($"<h2>{Encode(split.Name)} ({Encode(main.Name)}, greedy): BLEU-4 {split.Metrics.Bleu4:F3}, CIDEr {split.Metrics.Cider:F3}");
            if (split.AttributeAccuracy is double a) html.Append($", attributes correct {a:P1}");
            html.Append("</h2>");
            if (attends) html.Append("<p>Under each caption, where the model looked as it wrote each word (bright: attended).</p>");
            for (int i = 0; i < Math.Min(perSplit, split.Images.Count); i++)
            {
                var (image, caption) = (split.Images[i], split.Captions[i]);
                string source = Source(folder, image.ImagePath);
                html.Append($"<div class=\"item\"><img src=\"{source}\" width=\"224\" height=\"224\"><div><div class=\"caption\">{Encode(caption)}</div><ul>");
                foreach (var reference in image.Captions) html.Append($"<li>{Encode(reference)}</li>");
                html.Append("</ul>");
                if (attends) AppendMaps(html, source, caption, main.Captioner.AttentionMaps(split.Features[i], caption));
                html.Append("</div></div>");
            }
        }
        File.WriteAllText(path, html.Append("</body></html>").ToString());
    }

    private static void AppendScores(StringBuilder html, IReadOnlyList<ExperimentResult> experiments)
    {
        html.Append("<h2>Scores</h2><table><tr><th>features</th><th>decoding</th><th>split</th><th>BLEU-4</th><th>CIDEr-D</th>")
            .Append("<th>attributes correct</th><th>1 / 2 / 3 objects</th></tr>");
        foreach (var experiment in experiments)
        {
            foreach (var r in experiment.Results)
            {
                string attributes = r.AttributeAccuracy is double a ? a.ToString("P1", CultureInfo.InvariantCulture) : "–";
                string byCount = string.Join(" / ", r.AccuracyByObjectCount.Values.Select(v => (v * 100).ToString("F1", CultureInfo.InvariantCulture)));
                html.Append($"<tr><td>{Encode(experiment.Name)}</td><td>{Encode(r.Decoding)}</td><td>{Encode(r.Name)}</td><td>{r.Metrics.Bleu4:F3}</td>")
                    .Append($"<td>{r.Metrics.Cider:F2}</td><td>{attributes}</td><td>{byCount}</td></tr>");
            }
        }
        html.Append("</table>");
    }

    // One small copy of the image per word (and the end), each of the 7×7 regions darkened by how little weight it got
    // relative to the word's most attended region.
    private static void AppendMaps(StringBuilder html, string source, string caption, float[][] maps)
    {
        string[] words = [.. caption.Split(' ', StringSplitOptions.RemoveEmptyEntries), "<end>"];
        html.Append("<div class=\"maps\">");
        foreach (var (word, weights) in words.Zip(maps))
        {
            float max = weights.Max();
            html.Append($"<div class=\"map\"><div class=\"cells\" style=\"background-image:url('{source}')\">");
            foreach (float w in weights)
                html.Append(CultureInfo.InvariantCulture, $"<i style=\"opacity:{0.85 * (1 - w / max):F2}\"></i>");
            html.Append($"</div>{Encode(word)}</div>");
        }
        html.Append("</div>");
    }

    private static string Source(string folder, string file) => Encode(Path.GetRelativePath(folder, file).Replace('\\', '/'));

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
