namespace ImageCaptioning.Scenes;

/// <summary>One drawn object: its attributes and where it sits (centre, in pixels).</summary>
public sealed record SceneObject(string Colour, string Shape, string Size, float X, float Y);

/// <summary>A synthetic image: its background and objects, ordered from left to right.</summary>
public sealed record Scene(int Background, IReadOnlyList<SceneObject> Objects)
{
    /// <summary>"colour shape size" of each object, joined by ';' (the scenes.tsv column).</summary>
    public string Describe() => string.Join(';', Objects.Select(o => $"{o.Colour} {o.Shape} {o.Size}"));

    /// <summary>The (colour, shape) pairs of a <see cref="Describe"/> string.</summary>
    public static List<(string Colour, string Shape)> ParsePairs(string description)
        => [.. description.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(o => o.Split(' ')).Select(p => (p[0], p[1]))];
}
