namespace ImageCaptioning.Scenes;

/// <summary>Reference captions of a scene: three paraphrases of its description, objects named left to right.</summary>
public static class SceneCaptions
{
    public static IReadOnlyList<string> For(Scene scene)
    {
        var names = scene.Objects.Select(o => $"a {o.Size} {o.Colour} {o.Shape}").ToArray();
        return names.Length switch
        {
            1 => [names[0], $"there is {names[0]}", $"{names[0]} on its own"],
            2 => [$"{names[0]} to the left of {names[1]}", $"{names[1]} to the right of {names[0]}", $"{names[0]} and {names[1]}"],
            _ => [$"{names[0]} , {names[1]} and {names[2]}", $"from left to right {names[0]} , {names[1]} and {names[2]}",
                  $"three shapes : {names[0]} , {names[1]} and {names[2]}"],
        };
    }

    /// <summary>
    /// Whether a caption names exactly the scene's objects: every shape word paired with the colour word just
    /// before it (sizes may sit between), compared as multisets with the scene's (colour, shape) pairs.
    /// </summary>
    public static bool AttributesCorrect(string caption, IReadOnlyList<(string Colour, string Shape)> scene)
    {
        var words = caption.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var named = new List<(string, string)>();
        for (int i = 0; i < words.Length; i++)
        {
            if (!SceneVocabulary.Shapes.Contains(words[i])) continue;
            string colour = i > 0 && SceneVocabulary.Colours.Contains(words[i - 1]) ? words[i - 1] : "";
            named.Add((colour, words[i]));
        }
        return named.Count == scene.Count && named.Order().SequenceEqual(scene.Order());
    }
}
