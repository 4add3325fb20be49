namespace ImageCaptioning;

/// <summary>An input row of the pipeline: an image file and its reference captions.</summary>
public sealed class ImageRow
{
    public string ImagePath { get; set; } = "";
    public string[] Captions { get; set; } = [];
}

/// <summary>An output row: the generated caption.</summary>
public sealed class CaptionPrediction
{
    public string Caption { get; set; } = "";
}

/// <summary>The ResNet18 features of a row (read back to time and check the captioner on its own).</summary>
public sealed class FeatureRow
{
    public float[] Features { get; set; } = [];
}
