using Microsoft.ML.Recurrent;

namespace ImageCaptioning;

/// <summary>
/// The splits of a data folder, each either SPLIT.tsv ("image path&lt;TAB&gt;caption" lines, Flickr8k's
/// "name.jpg#2" allowed) or SPLIT.json (COCO-style captions: "images" with "id" and "file_name", "annotations"
/// with "image_id" and "caption"). Relative image paths resolve against the image folder, by default the data folder.
/// </summary>
public static class DataFolder
{
    /// <summary>The split's images and captions, or null when the folder has neither SPLIT.tsv nor SPLIT.json.</summary>
    public static IReadOnlyList<CaptionedImage>? Load(string folder, string split, string? imageFolder = null)
    {
        string tsv = Path.Combine(folder, split + ".tsv"), json = Path.Combine(folder, split + ".json");
        if (File.Exists(tsv)) return CaptionDataset.LoadTabSeparated(tsv, imageFolder ?? folder);
        if (File.Exists(json)) return CaptionDataset.LoadCoco(json, imageFolder ?? folder);
        return null;
    }

    /// <summary>Like <see cref="Load"/>, but the split must exist.</summary>
    public static IReadOnlyList<CaptionedImage> Require(string folder, string split, string? imageFolder = null)
        => Load(folder, split, imageFolder) ?? throw new FileNotFoundException($"{folder} has neither {split}.tsv nor {split}.json.");
}
