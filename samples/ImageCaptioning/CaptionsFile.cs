using ImageCaptioning.Scenes;

namespace ImageCaptioning;

/// <summary>Every caption a run wrote, one TSV row per image and decoding, for reading the mistakes rather than the averages.</summary>
public static class CaptionsFile
{
    public static void Write(string path, ExperimentResult experiment, Dictionary<string, List<(string Colour, string Shape)>> scenes)
    {
        var lines = new List<string> { "split\tdecoding\timage\tobjects\tattributes correct\tcaption\treference" };
        foreach (var r in experiment.Results)
            for (int i = 0; i < r.Images.Count; i++)
            {
                var image = r.Images[i];
                var scene = scenes.GetValueOrDefault(image.ImagePath);
                string correct = scene is null ? "" : SceneCaptions.AttributesCorrect(r.Captions[i], scene) ? "yes" : "no";
                lines.Add(string.Join('\t', r.Name, r.Decoding, Path.GetFileName(image.ImagePath), scene?.Count.ToString() ?? "", correct,
                    r.Captions[i], image.Captions[0]));
            }
        string temporary = path + ".tmp";
        File.WriteAllLines(temporary, lines);
        File.Move(temporary, path, overwrite: true);
    }
}
