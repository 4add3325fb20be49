using SkiaSharp;

namespace ImageCaptioning.Scenes;

/// <summary>
/// Draws 224×224 scenes of 1–N objects (shapes, colours, two sizes, left-to-right slots with jitter, any height) on
/// varied pale backgrounds with SkiaSharp. Colours are jittered so the model sees shades, not one RGB value.
/// </summary>
public sealed class SceneGenerator(int seed, int maxObjects)
{
    public const int ImageSize = 224;
    private static readonly SKColor[] ColourValues =
        [new(220, 40, 40), new(40, 170, 60), new(40, 80, 220), new(235, 210, 30), new(140, 50, 170)];
    private static readonly SKColor[] Backgrounds =
        [new(250, 250, 250), new(225, 225, 225), new(245, 235, 215), new(220, 235, 245), new(235, 245, 225)];
    private readonly Random _random = new(seed);

    /// <summary>A random scene; <paramref name="heldOut"/> true requires a held-out pair, false forbids them.</summary>
    public Scene Next(bool heldOut)
    {
        // The count is drawn once, outside the retry loop: retrying it too would favour small scenes, which
        // are less likely to contain a held-out pair, and leave few three-object scenes to train on.
        int count = 1 + _random.Next(Math.Clamp(maxObjects, 1, 3));
        while (true)
        {
            var objects = new List<SceneObject>();
            float slot = (float)ImageSize / count;
            for (int i = 0; i < count; i++)
            {
                string size = SceneVocabulary.Sizes[_random.Next(SceneVocabulary.Sizes.Length)];
                float radius = Radius(size);
                float x = slot * (i + 0.5f) + (float)(_random.NextDouble() - 0.5) * Math.Max(0, slot - 2 * radius) * 0.8f;
                float y = radius + 8 + (float)_random.NextDouble() * (ImageSize - 2 * radius - 16);
                objects.Add(new SceneObject(SceneVocabulary.Colours[_random.Next(SceneVocabulary.Colours.Length)],
                    SceneVocabulary.Shapes[_random.Next(SceneVocabulary.Shapes.Length)], size, x, y));
            }
            bool hasHeldOut = objects.Any(o => SceneVocabulary.IsHeldOut(o.Colour, o.Shape));
            if (hasHeldOut == heldOut) return new Scene(_random.Next(Backgrounds.Length), objects);
        }
    }

    /// <summary>Draws the scene and writes it as PNG.</summary>
    public void Draw(Scene scene, string path)
    {
        using var bitmap = new SKBitmap(ImageSize, ImageSize);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(Backgrounds[scene.Background]);
            foreach (var o in scene.Objects)
            {
                using var paint = new SKPaint { Color = Jitter(ColourValues[Array.IndexOf(SceneVocabulary.Colours, o.Colour)]), IsAntialias = true };
                float r = Radius(o.Size);
                switch (o.Shape)
                {
                    case "circle": canvas.DrawCircle(o.X, o.Y, r, paint); break;
                    case "square": canvas.DrawRect(o.X - r * 0.85f, o.Y - r * 0.85f, r * 1.7f, r * 1.7f, paint); break;
                    case "triangle": canvas.DrawPath(Polygon((o.X, o.Y - r), (o.X + r, o.Y + r * 0.8f), (o.X - r, o.Y + r * 0.8f)), paint); break;
                    default: canvas.DrawPath(Polygon((o.X, o.Y - r), (o.X + r * 0.75f, o.Y), (o.X, o.Y + r), (o.X - r * 0.75f, o.Y)), paint); break;
                }
            }
        }
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        using var file = File.Create(path);
        data.SaveTo(file);
    }

    // One radius per size whatever the count, so "small" and "large" mean the same in every scene; three large
    // objects just share the width.
    private static float Radius(string size) => size == "large" ? 36f : 22f;

    private SKColor Jitter(SKColor c)
    {
        byte Shift(byte v) => (byte)Math.Clamp(v + _random.Next(-25, 26), 0, 255);
        return new SKColor(Shift(c.Red), Shift(c.Green), Shift(c.Blue));
    }

    private static SKPath Polygon(params (float X, float Y)[] points)
    {
        var path = new SKPath();
        path.MoveTo(points[0].X, points[0].Y);
        foreach (var (x, y) in points.Skip(1)) path.LineTo(x, y);
        path.Close();
        return path;
    }
}
