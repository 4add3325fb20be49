using Microsoft.ML.Recurrent;

namespace ImageCaptioning;

/// <summary>Which ResNet18 features the captioner reads.</summary>
public enum FeatureKind
{
    /// <summary>A grid of region vectors from one of ResNet18's maps, read by spatial attention (the default).</summary>
    Grid,
    /// <summary>The last feature map averaged in vertical strips (left to right), read whole at every step.</summary>
    Strips,
    /// <summary>ResNet18's own global average (512 features): what is in the image, not where.</summary>
    Global,
}

/// <summary>The features' settings: their kind, the grid's stage and size, the strips.</summary>
/// <param name="Kind">Grid, strips or global pooling.</param>
/// <param name="Stage">The map a grid is taken from.</param>
/// <param name="GridSize">Regions per side of a grid.</param>
/// <param name="Columns">Vertical strips.</param>
public sealed record ImageFeatures(FeatureKind Kind, ResNet18Stage Stage, int GridSize, int Columns)
{
    public static FeatureKind Parse(string name) => name switch
    {
        "grid" => FeatureKind.Grid,
        "strips" => FeatureKind.Strips,
        "global" => FeatureKind.Global,
        _ => throw new ArgumentException($"--features must be grid, strips or global, not '{name}'."),
    };

    public static ResNet18Stage ParseStage(int stage) => stage is >= 2 and <= 4
        ? (ResNet18Stage)stage
        : throw new ArgumentException($"--grid-stage must be 2, 3 or 4, not {stage}.");

    public string Name => Kind switch
    {
        FeatureKind.Grid => $"stage-{(int)Stage} {GridSize}×{GridSize} grid + attention",
        FeatureKind.Strips => $"{Columns} strips",
        _ => "global pooling",
    };

    /// <summary>Writes the rewritten ResNet18 these features need under <paramref name="output"/>; null for ResNet18's own model.</summary>
    public string? WriteModel(string output) => Kind switch
    {
        FeatureKind.Grid => ImageFeaturizerModels.WriteResNet18WithGrid(Path.Combine(output, $"resnet18-grid-{(int)Stage}-{GridSize}"), Stage, GridSize),
        FeatureKind.Strips => ImageFeaturizerModels.WriteResNet18WithColumnPooling(Path.Combine(output, "resnet18-columns"), Columns),
        _ => null,
    };

    /// <summary>
    /// A grid is attended to, with the initial state from the mean of the regions (the paper's set-up); pooled features
    /// enter the initial state and every step.
    /// </summary>
    public void Condition(CaptionerOptions options)
    {
        options.Conditioning = Kind == FeatureKind.Grid ? ImageConditioning.AttentionWithInitialState : ImageConditioning.Both;
        options.AttentionRegions = GridSize * GridSize;
    }
}
