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

/// <summary>An output row read back whole: the ResNet18 features and the caption the pipeline wrote from them.</summary>
public sealed class CaptionedFeatures
{
    public float[] Features { get; set; } = [];
    public string Caption { get; set; } = "";
}
