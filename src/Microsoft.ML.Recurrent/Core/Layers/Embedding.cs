using Microsoft.ML.Recurrent.Numerics;

namespace Microsoft.ML.Recurrent.Layers;

/// <summary>
/// Row lookup y[r] = W[ids[r]] + b, which is exactly onehot(ids)·W + b without the GEMM.
/// Shapes: ids [N], W [Vocab, Width], b [Width], y [N, Width].
/// </summary>
internal sealed class Embedding(ParameterStore store, string name, int vocabulary, int width)
{
    public Parameter Weight { get; } = store.Declare(name + ".W", vocabulary, width);
    public Parameter Bias { get; } = store.Declare(name + ".b", 1, width, isBias: true);
    public int Vocabulary { get; } = vocabulary;
    public int Width { get; } = width;

    // ids [N] -> y [N, Width]
    public void Forward(ReadOnlySpan<int> ids, Span<float> y)
    {
        ReadOnlySpan<float> w = Weight.Value, b = Bias.Value;
        for (int r = 0; r < ids.Length; r++)
            System.Numerics.Tensors.TensorPrimitives.Add(w.Slice(ids[r] * Width, Width), b, y.Slice(r * Width, Width)); // gather and bias in one pass
    }

    // dy [N, Width] -> dW[ids[r]] += dy[r], db += Σ dy
    public void Backward(ReadOnlySpan<int> ids, ReadOnlySpan<float> dy)
    {
        var dw = Weight.Gradient;
        for (int r = 0; r < ids.Length; r++)
        {
            var row = dw.Slice(ids[r] * Width, Width);
            System.Numerics.Tensors.TensorPrimitives.Add(row, dy.Slice(r * Width, Width), row);
        }
        VectorKernels.AccumulateColumnSums(dy, Bias.Gradient, ids.Length, Width);
    }
}
