using Microsoft.ML.Recurrent.Numerics;
using Xunit;
using Xunit.Abstractions;
using static Microsoft.ML.Recurrent.Tests.Numerics.NumericsTestHelpers;

namespace Microsoft.ML.Recurrent.Tests.Numerics;

/// <summary>
/// Pooling against scalar loops that do the same float operations in the same order, so every path must match
/// them to the bit: T = 5 steps, three sequences of lengths 5, 1 and 3, two directions of H = 37 (16 + 16 + 4 + 1
/// elements per direction block at 512 bits), with ties, NaN and signed zeros among the states.
/// </summary>
public class PoolingKernelsTests(ITestOutputHelper output)
{
    private const int Steps = 5, Hidden = 37, Directions = 2, Width = Hidden * Directions;
    private static readonly int[] s_lengths = [5, 1, 3];

    private static float[] States()
    {
        int row = s_lengths.Length * Width;   // one step of every sequence
        var h = Random(Steps * row, 41);
        for (int i = row; i < h.Length; i += 7)
            h[i] = h[i - row];                  // ties with the previous step: the earlier step keeps the maximum
        h[11] = float.NaN;                      // a NaN first state stays the maximum
        h[row + 12] = float.NaN;                // a NaN later state never wins the comparison
        h[3] = -0f;
        h[row + 3] = 0f;                        // +0 does not beat −0 either
        return h;
    }

    [Theory]
    [InlineData(SequencePooling.Last)]
    [InlineData(SequencePooling.Mean)]
    [InlineData(SequencePooling.Max)]
    public void ForwardAndBackwardMatchScalarLoopsOnEveryPath(SequencePooling pooling)
    {
        int batch = s_lengths.Length;
        var h = States();
        var dp = Random(batch * Width, 42);
        var (p, argMax) = ReferenceForward(pooling, h);
        var dh = ReferenceBackward(pooling, dp, argMax);
        foreach (int width in Widths)
        {
            var (pv, av, dhv) = WithWidth(width, output, () =>
            {
                float[] pv = new float[batch * Width], dhv = new float[h.Length];
                int[] av = new int[batch * Width];
                PoolingKernels.Forward(pooling, h, s_lengths, pv, av, Hidden, Directions);
                dhv.AsSpan().Fill(float.NaN);   // backward must overwrite every element, padding included
                PoolingKernels.Backward(pooling, dp, s_lengths, av, dhv, Hidden, Directions);
                return (pv, av, dhv);
            });
            string what = $"{pooling} width={width}";
            SameBits(p, pv, what + " forward");
            if (pooling == SequencePooling.Max)
                Assert.Equal(argMax, av);
            SameBits(dh, dhv, what + " backward");
        }
    }

    private static (float[] P, int[] ArgMax) ReferenceForward(SequencePooling pooling, float[] h)
    {
        int batch = s_lengths.Length;
        var p = new float[batch * Width];
        var argMax = new int[batch * Width];
        for (int b = 0; b < batch; b++)
            for (int j = 0; j < Width; j++)
            {
                int length = s_lengths[b], o = b * Width + j;
                float State(int t) => h[(t * batch + b) * Width + j];
                switch (pooling)
                {
                    case SequencePooling.Last:
                        p[o] = State(j < Hidden ? length - 1 : 0);
                        break;
                    case SequencePooling.Mean:
                        float sum = 0;
                        for (int t = 0; t < length; t++)
                            sum += State(t);
                        p[o] = sum * (1f / length);
                        break;
                    default:
                        p[o] = State(0);
                        for (int t = 1; t < length; t++)
                            if (State(t) > p[o])
                                (p[o], argMax[o]) = (State(t), t);
                        break;
                }
            }

        return (p, argMax);
    }

    private static float[] ReferenceBackward(SequencePooling pooling, float[] dp, int[] argMax)
    {
        int batch = s_lengths.Length;
        var dh = new float[Steps * batch * Width];
        for (int b = 0; b < batch; b++)
            for (int j = 0; j < Width; j++)
            {
                int length = s_lengths[b], o = b * Width + j;
                for (int t = 0; t < length; t++)
                {
                    bool reaches = pooling switch
                    {
                        SequencePooling.Last => t == (j < Hidden ? length - 1 : 0),
                        SequencePooling.Mean => true,
                        _ => t == argMax[o],
                    };
                    if (reaches)
                        dh[(t * batch + b) * Width + j] = pooling == SequencePooling.Mean ? dp[o] * (1f / length) : dp[o];
                }
            }

        return dh;
    }
}
