using Microsoft.ML.Recurrent;

namespace CharRnn;

/// <summary>What the command line asked for.</summary>
internal sealed record Settings
{
    /// <summary>Training text (UTF-8); null = the built-in corpus (this repository's C# source).</summary>
    public string? DataPath { get; init; }
    public RecurrentCell Cell { get; init; } = RecurrentCell.Lstm;
    public int HiddenSize { get; init; } = 128;
    public int Layers { get; init; } = 2;
    /// <summary>Training time budget; null = none (then <see cref="Epochs"/> stops training).</summary>
    public TimeSpan? TimeBudget { get; init; }
    public double? Epochs { get; init; }
    /// <summary>Minibatch updates to stop after; null = no limit.</summary>
    public int? Iterations { get; init; }
    /// <summary>Iterations between evaluations (validation, a sample, the checkpoint).</summary>
    public int EvaluateEvery { get; init; } = 100;
    /// <summary>Checkpoint written at every evaluation and resumed from when it exists; null = none.</summary>
    public string? CheckpointPath { get; init; }
    /// <summary>CSV file every progress report is logged to (appended to when it already holds a log); null = none.</summary>
    public string? ProgressCsvPath { get; init; }
    /// <summary>PNG (or .svg) file the loss curves are drawn to when training ends; null = none.</summary>
    public string? PlotPath { get; init; }
    public float Temperature { get; init; } = 0.8f;
    public string Prime { get; init; } = "";
    public int Length { get; init; } = 500;
    public int Seed { get; init; } = 1;
    public string ModelPath { get; init; } = CommandLine.DefaultModelPath;
    public bool SampleOnly { get; init; }
    /// <summary>Page that colours held-out text by the model's cells (written after training/sampling); null = none.</summary>
    public string? VisualizePath { get; init; }
    /// <summary>Cells to colour the page by; empty = the best cell the search found for each feature.</summary>
    public IReadOnlyList<CellChoice> Cells { get; init; } = [];
}

/// <summary>One cell named on the command line: layer (0-based here), activation kind and unit.</summary>
internal sealed record CellChoice(int Layer, ActivationKind Kind, int Unit);
