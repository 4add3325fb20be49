using Microsoft.ML.Recurrent.Numerics;

namespace Microsoft.ML.Recurrent.Layers;

/// <summary>Fully connected layer y = x·W + b. Shapes: x [N, In], W [In, Out], b [Out], y [N, Out].</summary>
internal sealed class Dense(ParameterStore store, string name, int inputs, int outputs)
{
    public Parameter Weight { get; } = store.Declare(name + ".W", inputs, outputs);
    public Parameter Bias { get; } = store.Declare(name + ".b", 1, outputs, isBias: true);
    public int Inputs { get; } = inputs;
    public int Outputs { get; } = outputs;
    private float[]? _transposed;

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

    /// <summary>
    /// Transposes W once before a stepped backward, so that each step's <see cref="BackwardInputStep"/> is a plain
    /// product: a dy·Wᵀ product of a few rows would otherwise pack all of W at every step.
    /// </summary>
    public void TransposeWeight()
    {
        _transposed ??= new float[Inputs * Outputs];
        MatrixTranspose.Transpose(Weight.Value, _transposed, Inputs, Outputs);
    }

    // dy [N, Out] -> dx = dy·Wᵀ [N, In], through the Wᵀ of the last TransposeWeight
    public void BackwardInputStep(ReadOnlySpan<float> dy, Span<float> dx, int rows)
        => Gemm.MatMul(dy, _transposed ?? throw new InvalidOperationException("TransposeWeight has not run."), dx, rows, Outputs, Inputs, accumulate: false);

    // x [N, In], dy [N, Out] -> dW += xᵀ·dy, db += Σ dy
    public void BackwardWeights(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, int rows)
    {
        Gemm.MatMulTransA(x, dy, Weight.Gradient, Inputs, rows, Outputs, accumulate: true);
        VectorKernels.AccumulateColumnSums(dy, Bias.Gradient, rows, Outputs);
    }
}
