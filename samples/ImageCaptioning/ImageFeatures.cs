using Microsoft.ML.Recurrent;

namespace ImageCaptioning;

/// <summary>Which ResNet18 features the captioner reads.</summary>
public enum FeatureKind
{
    /// <summary>The 7×7 grid of 512-channel region vectors before pooling, read by spatial attention (the default).</summary>
    Grid,
    /// <summary>The last feature map averaged in vertical strips (left to right), read whole at every step.</summary>
    Strips,
    /// <summary>ResNet18's own global average (512 features): what is in the image, not where.</summary>
    Global,
}

/// <summary>The ResNet18 model and the captioner's conditioning for each <see cref="FeatureKind"/>.</summary>
public static class ImageFeatures
{
    public static FeatureKind Parse(string name) => name switch
    {
        "grid" => FeatureKind.Grid,
        "strips" => FeatureKind.Strips,
        "global" => FeatureKind.Global,
        _ => throw new ArgumentException($"--features must be grid, strips or global, not '{name}'."),
    };

    public static string Describe(FeatureKind kind, int columns) => kind switch
    {
        FeatureKind.Grid => "7×7 grid + attention",
        FeatureKind.Strips => $"{columns} strips",
        _ => "global pooling",
    };

    /// <summary>Writes the rewritten ResNet18 the kind needs under <paramref name="output"/>; null for ResNet18's own model.</summary>
    public static string? WriteModel(FeatureKind kind, string output, int columns) => kind switch
    {
        FeatureKind.Grid => ImageFeaturizerModels.WriteResNet18WithGrid(Path.Combine(output, "resnet18-grid")),
        FeatureKind.Strips => ImageFeaturizerModels.WriteResNet18WithColumnPooling(Path.Combine(output, "resnet18-columns"), columns),
        _ => null,
    };

    /// <summary>
    /// Grid features are attended to, with the initial state from the mean of the regions (the paper's set-up); pooled
    /// features enter the initial state and every step.
    /// </summary>
    public static void Condition(CaptionerOptions options, FeatureKind kind)
    {
        options.Conditioning = kind == FeatureKind.Grid ? ImageConditioning.AttentionWithInitialState : ImageConditioning.Both;
        options.AttentionRegions = 49;
    }
}
