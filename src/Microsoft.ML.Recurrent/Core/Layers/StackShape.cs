namespace Microsoft.ML.Recurrent.Layers;

/// <summary>
/// What a <see cref="StackedRecurrence"/> is, independent of the task around it: the cell, the hidden width, the
/// number of layers and whether each layer also runs a reverse direction. Everything the ONNX emitter needs
/// besides the weights.
/// </summary>
internal sealed record StackShape(RecurrentCell Cell, int Hidden, int Layers, bool Bidirectional = false)
{
    /// <summary>Recurrences per layer: 2 when bidirectional, else 1.</summary>
    public int Directions => Bidirectional ? 2 : 1;

    /// <summary>Width of a layer's output: the directions' hidden states side by side, [forward | backward].</summary>
    public int OutputWidth => Directions * Hidden;

    /// <summary>Throws when a field is out of range.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Cell)) throw new ArgumentOutOfRangeException(nameof(Cell), Cell, "Unknown recurrent cell.");
        if (Hidden < 1) throw new ArgumentOutOfRangeException(nameof(Hidden), Hidden, "The hidden width must be positive.");
        if (Layers < 1) throw new ArgumentOutOfRangeException(nameof(Layers), Layers, "A stack needs at least one layer.");
    }
}
