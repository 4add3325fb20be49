using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Captioning;

/// <summary>The two documented data formats: "path&lt;TAB&gt;caption" lines and COCO-style JSON.</summary>
public class CaptionDatasetTests
{
    [Fact]
    public void TabSeparatedLinesGroupCaptionsByImage()
    {
        using var dir = new TestData.TempDirectory();
        File.WriteAllLines(dir.File("captions.txt"),
            ["# Flickr8k style", "a.jpg#0\tA dog runs.", "b.jpg\tA cat sleeps.", "", "a.jpg#1\tA brown dog running."]);
        var images = CaptionDataset.LoadTabSeparated(dir.File("captions.txt"));
        Assert.Equal(2, images.Count);
        Assert.Equal(dir.File("a.jpg"), images[0].ImagePath);
        Assert.Equal(["A dog runs.", "A brown dog running."], images[0].Captions);
        Assert.Equal(["A cat sleeps."], images[1].Captions);
        File.WriteAllLines(dir.File("bad.txt"), ["no tab here"]);
        Assert.Throws<FormatException>(() => CaptionDataset.LoadTabSeparated(dir.File("bad.txt")));
    }

    [Fact]
    public void CocoJsonJoinsAnnotationsToImages()
    {
        using var dir = new TestData.TempDirectory();
        File.WriteAllText(dir.File("captions.json"), """
            {"images": [{"id": 7, "file_name": "x.jpg"}, {"id": 9, "file_name": "y.jpg"}, {"id": 3, "file_name": "none.jpg"}],
             "annotations": [{"id": 1, "image_id": 9, "caption": "two birds "}, {"id": 2, "image_id": 7, "caption": "a boat"},
                             {"id": 3, "image_id": 9, "caption": "birds on a wire"}]}
            """);
        var images = CaptionDataset.LoadCoco(dir.File("captions.json"), dir.Path);
        Assert.Equal([dir.File("y.jpg"), dir.File("x.jpg")], images.Select(i => i.ImagePath));
        Assert.Equal(["two birds", "birds on a wire"], images[0].Captions);
    }
}
