using Microsoft.ML.Recurrent.Numerics;

namespace Microsoft.ML.Recurrent.Layers;

/// <summary>
/// Inverted dropout: in training y = x ⊙ m / (1 − p) with m ~ Bernoulli(1 − p), at inference y = x.
/// Shapes: x, y, mask [N]. The mask holds the scale (0 or 1/(1 − p)) so backward is one multiply.
/// </summary>
internal sealed class Dropout(float probability)
{
    public float Probability { get; } = probability is >= 0f and < 1f
        ? probability
        : throw new ArgumentOutOfRangeException(nameof(probability), probability, "Dropout must be in [0, 1).");

    // x [N] -> y [N], mask [N]
    public void Forward(ReadOnlySpan<float> x, Span<float> y, Span<float> mask, RandomSource random)
    {
        float keep = 1f - Probability, scale = 1f / keep;
        for (int i = 0; i < mask.Length; i++) mask[i] = random.NextFloat() < keep ? scale : 0f;
        System.Numerics.Tensors.TensorPrimitives.Multiply(x, mask, y);
    }

    // dy [N] -> dx [N]
    public static void Backward(ReadOnlySpan<float> dy, ReadOnlySpan<float> mask, Span<float> dx)
        => System.Numerics.Tensors.TensorPrimitives.Multiply(dy, mask, dx);
}
