namespace Microsoft.ML.Recurrent.Layers;

/// <summary>
/// What a <see cref="StackedRecurrence"/> is, independent of the task around it: the cell, the hidden width, the
/// number of layers and whether each layer also runs a reverse direction. Everything the ONNX emitter needs
/// besides the weights.
/// </summary>
internal sealed record StackShape(RecurrentCell Cell, int Hidden, int Layers, bool Bidirectional = false)
{
    /// <summary>Largest hidden width (and vocabulary or input width) accepted: guards against absurd sizes and corrupt files.</summary>
    public const int MaxWidth = 1 << 16;
    /// <summary>Largest number of stacked layers accepted.</summary>
    public const int MaxLayers = 64;

    /// <summary>Recurrences per layer: 2 when bidirectional, else 1.</summary>
    public int Directions => Bidirectional ? 2 : 1;

    /// <summary>Width of a layer's output: the directions' hidden states side by side, [forward | backward].</summary>
    public int OutputWidth => Directions * Hidden;

    /// <summary>Throws when a field is out of range.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Cell)) throw new ArgumentOutOfRangeException(nameof(Cell), Cell, "Unknown recurrent cell.");
        if (Hidden is < 1 or > MaxWidth) throw new ArgumentOutOfRangeException(nameof(Hidden), Hidden, $"Hidden size must be in [1, {MaxWidth}].");
        if (Layers is < 1 or > MaxLayers) throw new ArgumentOutOfRangeException(nameof(Layers), Layers, $"Layers must be in [1, {MaxLayers}].");
    }
}
