using System.Text.Json;

namespace Microsoft.ML.Recurrent;

/// <summary>
/// Reads captioning data sets in two simple formats, grouping the captions of each image in order of first
/// appearance: a text file of "image path&lt;TAB&gt;caption" lines (Flickr8k's "name.jpg#2" suffix is allowed),
/// and COCO-style JSON ("images": [{"id", "file_name"}], "annotations": [{"image_id", "caption"}]).
/// </summary>
public static class CaptionDataset
{
    /// <summary>Images and captions from "path&lt;TAB&gt;caption" lines; blank lines and lines starting with '#' are skipped.</summary>
    /// <param name="path">The text file.</param>
    /// <param name="imageFolder">Folder that relative image paths are resolved against (default: the file's folder).</param>
    public static IReadOnlyList<CaptionedImage> LoadTabSeparated(string path, string? imageFolder = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string folder = imageFolder ?? Path.GetDirectoryName(Path.GetFullPath(path))!;
        var groups = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var order = new List<string>();
        int lineNumber = 0;
        foreach (string line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line) || line.StartsWith('#')) continue;
            int tab = line.IndexOf('\t');
            if (tab <= 0 || tab == line.Length - 1)
                throw new FormatException($"{path}:{lineNumber}: expected 'image path<TAB>caption'.");
            string image = line[..tab].Trim();
            int hash = image.LastIndexOf('#');
            if (hash > 0 && image[(hash + 1)..].All(char.IsAsciiDigit)) image = image[..hash];
            Add(groups, order, Path.GetFullPath(image, folder), line[(tab + 1)..].Trim());
        }
        return [.. order.Select(image => new CaptionedImage(image, groups[image]))];
    }

    /// <summary>Images and captions from a COCO-style captions JSON file; images without captions are left out.</summary>
    /// <param name="jsonPath">The JSON file (e.g. captions_train2017.json).</param>
    /// <param name="imageFolder">Folder holding the images named by "file_name".</param>
    public static IReadOnlyList<CaptionedImage> LoadCoco(string jsonPath, string imageFolder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jsonPath);
        ArgumentException.ThrowIfNullOrWhiteSpace(imageFolder);
        using var stream = File.OpenRead(jsonPath);
        using var document = JsonDocument.Parse(stream);
        var root = document.RootElement;
        var files = new Dictionary<long, string>();
        foreach (var image in root.GetProperty("images").EnumerateArray())
            files[image.GetProperty("id").GetInt64()] = Path.GetFullPath(image.GetProperty("file_name").GetString()!, imageFolder);
        var groups = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var annotation in root.GetProperty("annotations").EnumerateArray())
        {
            long id = annotation.GetProperty("image_id").GetInt64();
            if (!files.TryGetValue(id, out var file))
                throw new FormatException($"{jsonPath}: annotation refers to image {id}, which is not listed under \"images\".");
            Add(groups, order, file, annotation.GetProperty("caption").GetString()!.Trim());
        }
        return [.. order.Select(image => new CaptionedImage(image, groups[image]))];
    }

    private static void Add(Dictionary<string, List<string>> groups, List<string> order, string image, string caption)
    {
        if (!groups.TryGetValue(image, out var captions))
        {
            groups[image] = captions = [];
            order.Add(image);
        }
        captions.Add(caption);
    }
}
