using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Numerics;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Layers;

/// <summary>
/// Attention against a scalar reference of its definition (scores, masked softmax, context), for every score, and with
/// scores large enough to overflow an unshifted exponential. Its gradients are checked with the translator's.
/// </summary>
public class AttentionTests
{
    private const int Batch = 2, Steps = 3, Memory = 4, Query = 4, Additive = 5;
    private static readonly int[] Lengths = [3, 2];

    [Theory]
    [InlineData(AttentionScore.Dot, 1f)]
    [InlineData(AttentionScore.General, 1f)]
    [InlineData(AttentionScore.Additive, 1f)]
    [InlineData(AttentionScore.General, 3000f)] // scores in the thousands: exp would overflow without the max shift
    public void Matches_the_scalar_definition(AttentionScore score, float scale)
    {
        var store = new ParameterStore();
        var attention = new Attention(store, "a", score, Memory, Query, Additive);
        store.Seal();
        var random = new RandomSource(5);
        foreach (var p in store.Parameters) foreach (ref float v in p.Value) v = random.NextFloat() - 0.5f;
        var memory = Values(Batch * Steps * Memory, random, 1f);
        var query = Values(Batch * Query, random, scale);
        var keys = attention.KeysAreMemory ? memory : new float[Batch * Steps * attention.KeyWidth];
        if (!attention.KeysAreMemory) attention.Keys(memory, keys, Batch * Steps);
        var weights = new float[Batch * Steps];
        var context = new float[Batch * Memory];
        var hidden = new float[Batch * Steps * attention.KeyWidth];
        attention.Forward(query, keys, memory, Lengths, Steps, weights, context, hidden, attention.CreateScratch(Batch, Steps));
        for (int b = 0; b < Batch; b++)
        {
            var e = new double[Lengths[b]];
            for (int s = 0; s < e.Length; s++) e[s] = Score(attention, score, memory, query, b, s);
            double max = e.Max(), sum = e.Sum(x => Math.Exp(x - max));
            for (int s = 0; s < Steps; s++)
            {
                double expected = s < e.Length ? Math.Exp(e[s] - max) / sum : 0;
                Assert.Equal(expected, weights[b * Steps + s], 4);
            }
            for (int j = 0; j < Memory; j++)
            {
                double expected = 0;
                for (int s = 0; s < e.Length; s++) expected += Math.Exp(e[s] - max) / sum * memory[(b * Steps + s) * Memory + j];
                Assert.Equal(expected, context[b * Memory + j], 4);
            }
        }
    }

    private static double Score(Attention attention, AttentionScore score, float[] memory, float[] query, int b, int s)
    {
        double Key(int k) // (m_s·W)_k, or m_s itself for dot
        {
            if (score == AttentionScore.Dot) return memory[(b * Steps + s) * Memory + k];
            double sum = 0;
            for (int i = 0; i < Memory; i++) sum += memory[(b * Steps + s) * Memory + i] * attention.KeyWeight!.Value[i * attention.KeyWidth + k];
            return sum;
        }
        double e = 0;
        for (int k = 0; k < attention.KeyWidth; k++)
        {
            if (score != AttentionScore.Additive)
            {
                e += Key(k) * query[b * Query + k];
                continue;
            }
            double projected = 0;
            for (int q = 0; q < Query; q++) projected += query[b * Query + q] * attention.QueryWeight!.Value[q * attention.KeyWidth + k];
            e += attention.Vector!.Value[k] * Math.Tanh(Key(k) + projected);
        }
        return e;
    }

    private static float[] Values(int n, RandomSource random, float scale)
    {
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (random.NextFloat() - 0.5f) * scale;
        return v;
    }
}
