using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Onnx;
namespace Microsoft.ML.Recurrent.LanguageModel;

/// <summary>The architecture of a stacked recurrent token model: everything needed to rebuild it from weights.</summary>
internal sealed record LanguageModelShape(RecurrentCell Cell, int Vocabulary, int Hidden, int Layers, float Dropout)
{
    /// <summary>Largest hidden width and vocabulary accepted (guards against absurd sizes and corrupt files).</summary>
    public const int MaxWidth = StackShape.MaxWidth;
    /// <summary>Largest number of stacked layers accepted.</summary>
    public const int MaxLayers = StackShape.MaxLayers;

    /// <summary>The ONNX emitter of this model's stack, over its vocabulary.</summary>
    public RecurrentStack OnnxStack() => new(new StackShape(Cell, Hidden, Layers), Vocabulary);

    public void Validate()
    {
        if (!Enum.IsDefined(Cell)) throw new ArgumentOutOfRangeException(nameof(Cell), Cell, "Unknown recurrent cell.");
        if (Vocabulary is < 1 or > MaxWidth) throw new ArgumentOutOfRangeException(nameof(Vocabulary), Vocabulary, $"Vocabulary size must be in [1, {MaxWidth}].");
        if (Hidden is < 1 or > MaxWidth) throw new ArgumentOutOfRangeException(nameof(Hidden), Hidden, $"Hidden size must be in [1, {MaxWidth}].");
        if (Layers is < 1 or > MaxLayers) throw new ArgumentOutOfRangeException(nameof(Layers), Layers, $"Layers must be in [1, {MaxLayers}].");
        if (!(Dropout is >= 0f and < 1f)) throw new ArgumentOutOfRangeException(nameof(Dropout), Dropout, "Dropout must be in [0, 1).");
    }
}
