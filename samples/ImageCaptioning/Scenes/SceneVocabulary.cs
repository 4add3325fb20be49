namespace ImageCaptioning.Scenes;

/// <summary>The attributes scenes are drawn from, and the colour–shape pairs kept out of training.</summary>
public static class SceneVocabulary
{
    public static readonly string[] Colours = ["red", "green", "blue", "yellow", "purple"];
    public static readonly string[] Shapes = ["circle", "square", "triangle", "diamond"];
    public static readonly string[] Sizes = ["small", "large"];

    /// <summary>Never in a training image: each colour and each shape is still seen, just not together.</summary>
    public static readonly (string Colour, string Shape)[] HeldOut =
        [("red", "triangle"), ("green", "circle"), ("blue", "diamond"), ("yellow", "square")];

    public static bool IsHeldOut(string colour, string shape) => HeldOut.Contains((colour, shape));
}
