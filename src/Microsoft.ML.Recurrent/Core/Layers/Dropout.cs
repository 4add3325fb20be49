using Microsoft.ML.Recurrent.Numerics;

namespace Microsoft.ML.Recurrent.Layers;

/// <summary>
/// Inverted dropout: in training y = x ⊙ m / (1 − p) with m ~ Bernoulli(1 − p), at inference y = x.
/// Shapes: x, y, mask [N, Width] with rows t·B + b. The mask holds the scale (0 or 1/(1 − p)) so backward is
/// one multiply. Every row draws from its own seed (see <see cref="DropoutSeed"/>), so the masks do not
/// depend on how a minibatch is split across threads.
/// </summary>
internal sealed class Dropout(float probability)
{
    private readonly RandomSource _random = new(0);

    public float Probability { get; } = probability is >= 0f and < 1f
        ? probability
        : throw new ArgumentOutOfRangeException(nameof(probability), probability, "Dropout must be in [0, 1).");

    // x [N, Width] -> y [N, Width], mask [N, Width]; rows of stream block [seed.FirstStream, + batch), steps from firstStep
    public void Forward(ReadOnlySpan<float> x, Span<float> y, Span<float> mask, int width, int batch, DropoutSeed seed, int layer, int firstStep = 0)
    {
        float keep = 1f - Probability, scale = 1f / keep;
        for (int r = 0; r < mask.Length / width; r++)
        {
            _random.Reseed(seed.ForRow(layer, step: firstStep + r / batch, stream: seed.FirstStream + r % batch));
            var row = mask.Slice(r * width, width);
            for (int i = 0; i < row.Length; i++) row[i] = _random.NextFloat() < keep ? scale : 0f;
        }
        System.Numerics.Tensors.TensorPrimitives.Multiply(x, mask, y);
    }

    // dy [N] -> dx [N]
    public static void Backward(ReadOnlySpan<float> dy, ReadOnlySpan<float> mask, Span<float> dx)
        => System.Numerics.Tensors.TensorPrimitives.Multiply(dy, mask, dx);
}

/// <summary>
/// Names the dropout masks of one training forward pass: the run's seed, the iteration, and the global index
/// of the first stream the pass covers. The mask row of (layer, step, stream) is a pure function of these.
/// </summary>
internal readonly record struct DropoutSeed(long Seed, long Iteration, int FirstStream = 0)
{
    public long ForRow(int layer, int step, int stream)
    {
        ulong h = RandomSource.Mix(RandomSource.Mix((ulong)Seed) + (ulong)Iteration);
        h = RandomSource.Mix(h + (ulong)layer);
        h = RandomSource.Mix(h + (ulong)step);
        return (long)RandomSource.Mix(h + (ulong)stream);
    }
}
