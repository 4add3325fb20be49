namespace Microsoft.ML.Recurrent;

/// <summary>
/// Which of ResNet18's feature maps (for a 224 × 224 image) a grid of region features is taken from. Later maps
/// describe more of the image in every region (each of the last map's 49 positions sees nearly the whole picture);
/// earlier ones keep what lies where.
/// </summary>
public enum ResNet18Stage
{
    /// <summary>The second stage's map: 28 × 28 positions of 128 channels.</summary>
    Stage2 = 2,
    /// <summary>The third stage's map: 14 × 14 positions of 256 channels.</summary>
    Stage3 = 3,
    /// <summary>The last map, the one ResNet18 pools into its features: 7 × 7 positions of 512 channels.</summary>
    Stage4 = 4,
}
