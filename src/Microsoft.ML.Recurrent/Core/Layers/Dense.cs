using Microsoft.ML.Recurrent.Numerics;

namespace Microsoft.ML.Recurrent.Layers;

/// <summary>Fully connected layer y = x·W + b. Shapes: x [N, In], W [In, Out], b [Out], y [N, Out].</summary>
internal sealed class Dense(ParameterStore store, string name, int inputs, int outputs)
{
    public Parameter Weight { get; } = store.Declare(name + ".W", inputs, outputs);
    public Parameter Bias { get; } = store.Declare(name + ".b", 1, outputs, isBias: true);
    public int Inputs { get; } = inputs;
    public int Outputs { get; } = outputs;

    // x [N, In] -> y [N, Out]
    public void Forward(ReadOnlySpan<float> x, Span<float> y, int rows)
    {
        Gemm.MatMul(x, Weight.Value, y, rows, Inputs, Outputs, accumulate: false);
        VectorKernels.AddBias(y, Bias.Value, rows, Outputs);
    }

    // dy [N, Out] -> dW += xᵀ·dy, db += Σ dy, dx = dy·Wᵀ (skipped when dx is empty)
    public void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx, int rows)
    {
        BackwardWeights(x, dy, rows);
        if (!dx.IsEmpty) BackwardInput(dy, dx, rows);
    }

    // dy [N, Out] -> dx = dy·Wᵀ [N, In]: a step-by-step caller needs each step's dx at once and its weights' share later
    public void BackwardInput(ReadOnlySpan<float> dy, Span<float> dx, int rows)
        => Gemm.MatMulTransB(dy, Weight.Value, dx, rows, Outputs, Inputs, accumulate: false);

    // x [N, In], dy [N, Out] -> dW += xᵀ·dy, db += Σ dy
    public void BackwardWeights(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, int rows)
    {
        Gemm.MatMulTransA(x, dy, Weight.Gradient, Inputs, rows, Outputs, accumulate: true);
        VectorKernels.AccumulateColumnSums(dy, Bias.Gradient, rows, Outputs);
    }
}
