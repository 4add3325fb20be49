namespace ImageCaptioning.Scenes;

/// <summary>
/// Writes a synthetic captioning data set into a folder: images/*.png, train.tsv, test.tsv and heldout.tsv
/// ("images/name.png&lt;TAB&gt;caption" lines, read by CaptionDataset.LoadTabSeparated) and scenes.tsv
/// ("images/name.png&lt;TAB&gt;colour shape size;…", for scoring attributes). Training and in-distribution
/// test images never contain a held-out colour–shape pair; every held-out test image contains one.
/// </summary>
public static class SceneDataset
{
    public static void Write(string folder, int train, int test, int heldOut, int maxObjects, int seed)
    {
        Directory.CreateDirectory(Path.Combine(folder, "images"));
        var generator = new SceneGenerator(seed, maxObjects);
        var scenes = new List<string>();
        void Split(string name, int count, bool held)
        {
            var lines = new List<string>();
            for (int i = 0; i < count; i++)
            {
                var scene = generator.Next(held);
                string image = $"images/{name}-{i:D5}.png";
                generator.Draw(scene, Path.Combine(folder, image));
                lines.AddRange(SceneCaptions.For(scene).Select(c => $"{image}\t{c}"));
                scenes.Add($"{image}\t{scene.Describe()}");
            }
            File.WriteAllLines(Path.Combine(folder, name + ".tsv"), lines);
        }
        Split("train", train, held: false);
        Split("test", test, held: false);
        Split("heldout", heldOut, held: true);
        File.WriteAllLines(Path.Combine(folder, "scenes.tsv"), scenes);
    }

    /// <summary>Full image path → (colour, shape) pairs, from scenes.tsv (empty when the file is absent).</summary>
    public static Dictionary<string, List<(string Colour, string Shape)>> ReadScenes(string folder)
    {
        string path = Path.Combine(folder, "scenes.tsv");
        if (!File.Exists(path)) return [];
        return File.ReadLines(path).Select(l => l.Split('\t'))
            .ToDictionary(p => Path.GetFullPath(p[0], folder), p => Scene.ParsePairs(p[1]));
    }
}
