using Microsoft.ML.Recurrent.Numerics;

namespace Microsoft.ML.Recurrent.Decoding;

/// <summary>
/// The uniforms <see cref="Decoder{TState}.Sample"/> consumes when it samples with <c>new RandomSource(seed)</c>: one
/// <see cref="RandomSource.NextDouble"/> per token, in order. A graph that is given them picks the same tokens as the
/// C# decoder, which is how ONNX generation keeps parity with it.
/// </summary>
internal static class SamplingUniforms
{
    /// <summary>The first <paramref name="count"/> uniforms of <paramref name="seed"/>'s stream.</summary>
    public static double[] Draw(int seed, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var random = new RandomSource(seed);
        var uniforms = new double[count];
        for (int i = 0; i < count; i++) uniforms[i] = random.NextDouble();
        return uniforms;
    }
}
