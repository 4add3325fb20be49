using System.Net;
using System.Text;

namespace ImageCaptioning;

/// <summary>An HTML page of test images with their generated and reference captions, after the training's loss curve.</summary>
public static class HtmlReport
{
    /// <param name="path">The page to write.</param>
    /// <param name="splits">The evaluated splits, each a section.</param>
    /// <param name="perSplit">How many images of each split are shown.</param>
    /// <param name="curve">An image of the loss curves (beside the page or anywhere); null = none.</param>
    public static void Write(string path, IEnumerable<SplitResult> splits, int perSplit, string? curve)
    {
        string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var html = new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Image captioning</title><style>")
            .Append("body{font-family:sans-serif}figure{display:inline-block;width:240px;vertical-align:top;margin:8px}")
            .Append("figcaption b{color:#063}figcaption li{color:#555;font-size:90%}</style></head><body><h1>Image captioning</h1>");
        if (curve is not null)
            html.Append($"<h2>Training</h2><img src=\"{Encode(Path.GetRelativePath(folder, curve).Replace('\\', '/'))}\" width=\"720\" alt=\"training and validation loss\">");
        foreach (var split in splits)
        {
            var m = split.Metrics;
            html.Append($"<h2>{Encode(split.Name)}: BLEU-4 {m.Bleu4:F3}, CIDEr {m.Cider:F3}");
            if (split.AttributeAccuracy is double a) html.Append($", attributes correct {a:P1}");
            html.Append("</h2>");
            foreach (var (image, caption) in split.Images.Zip(split.Captions).Take(perSplit))
            {
                string source = Path.GetRelativePath(folder, image.ImagePath).Replace('\\', '/');
                html.Append($"<figure><img src=\"{Encode(source)}\" width=\"224\" height=\"224\"><figcaption><b>{Encode(caption)}</b><ul>");
                foreach (var reference in image.Captions) html.Append($"<li>{Encode(reference)}</li>");
                html.Append("</ul></figcaption></figure>");
            }
        }
        File.WriteAllText(path, html.Append("</body></html>").ToString());
    }

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
