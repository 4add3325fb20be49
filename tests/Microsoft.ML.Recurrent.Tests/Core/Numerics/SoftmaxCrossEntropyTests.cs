using Microsoft.ML.Recurrent.Numerics;
using Xunit;
using Xunit.Abstractions;
using static Microsoft.ML.Recurrent.Tests.Numerics.NumericsTestHelpers;

namespace Microsoft.ML.Recurrent.Tests.Numerics;

/// <summary>
/// Softmax cross-entropy against a double-precision reference. Probabilities must be within 1e-12 + 1e-6·|x|
/// (exp is good to about 2e-7 relative, the sum is in double); gradients, whose target entry gradScale·(p − 1)
/// is a float difference, within 1e-7 + 1e-6·|x|; losses within 1e-6 per row. All paths must agree to the bit.
/// </summary>
public class SoftmaxCrossEntropyTests(ITestOutputHelper output)
{
    public static TheoryData<int> Vocabularies()
    {
        var data = new TheoryData<int>();
        foreach (int v in OddLengths.Append(1500))
            data.Add(v);
        return data;
    }

    /// <summary>Logits spread over [−8, 8], with one row shifted far up and one row holding a dominant logit.</summary>
    private static float[] Logits(int rows, int vocab, int seed)
    {
        var logits = Random(rows * vocab, seed, -8f, 8f);
        for (int j = 0; j < vocab; j++)
            logits[vocab + j] += 1000f;
        logits[2 * vocab] = 200f;
        return logits;
    }

    [Theory]
    [MemberData(nameof(Vocabularies))]
    public void ForwardBackwardAndLossMatchReference(int vocab)
    {
        const int rows = 5;
        const float gradScale = 0.25f;
        var logits = Logits(rows, vocab, vocab);
        int[] targets = [vocab - 1, 0, vocab / 2, -1, vocab / 3];

        var grad = new double[rows * vocab];
        double loss = 0, clampedLoss = 0;
        for (int r = 0; r < rows; r++)
        {
            if (targets[r] < 0)
                continue;
            var row = logits.Skip(r * vocab).Take(vocab).Select(v => (double)v).ToArray();
            double max = row.Max(), sum = row.Sum(v => Math.Exp(v - max));
            for (int j = 0; j < vocab; j++)
                grad[r * vocab + j] = gradScale * (Math.Exp(row[j] - max) / sum - (j == targets[r] ? 1 : 0));
            loss += Math.Log(sum) - (row[targets[r]] - max);
            // ForwardBackward floors the target's probability at 1e-30 (row 2, whose target is e^−190 away).
            clampedLoss -= Math.Log(Math.Max(Math.Exp(row[targets[r]] - max) / sum, 1e-30));
        }

        float[]? first = null;
        foreach (int width in Widths)
        {
            var (g, fbLoss, plainLoss) = WithWidth(width, output, () =>
            {
                var g = (float[])logits.Clone();
                double fb = SoftmaxCrossEntropy.ForwardBackward(g, targets, rows, vocab, gradScale);
                double plain = SoftmaxCrossEntropy.Loss(logits, targets, rows, vocab);
                return (g, fb, plain);
            });
            string what = $"vocab={vocab} width={width}";
            Close(grad, g, 1e-7, 1e-6, what + " gradient");
            Assert.True(Math.Abs(fbLoss - clampedLoss) <= 1e-6 * rows, $"{what}: ForwardBackward loss {fbLoss}, expected {clampedLoss}");
            Assert.True(Math.Abs(plainLoss - loss) <= 1e-6 * rows, $"{what}: Loss {plainLoss}, expected {loss}");
            Assert.All(g.AsSpan(3 * vocab, vocab).ToArray(), v => Assert.Equal(0f, v));
            if (first is null)
                first = g;
            else
                SameBits(first, g, what + " vs width 512");
        }
    }

    [Theory]
    [MemberData(nameof(Vocabularies))]
    public void SoftmaxMatchesReference(int vocab)
    {
        var logits = Random(vocab, vocab + 1, -30f, 30f);
        foreach (float temperature in new[] { 1f, 0.5f, 3f })
        {
            var scaled = logits.Select(v => (double)(v / temperature)).ToArray();
            double max = scaled.Max(), sum = scaled.Sum(v => Math.Exp(v - max));
            var expected = scaled.Select(v => Math.Exp(v - max) / sum).ToArray();
            float[]? first = null;
            foreach (int width in Widths)
            {
                var probs = WithWidth(width, output, () =>
                {
                    var p = new float[vocab];
                    SoftmaxCrossEntropy.Softmax(logits, p, temperature);
                    return p;
                });
                string what = $"softmax vocab={vocab} T={temperature} width={width}";
                Close(expected, probs, 1e-12, 1e-6, what);
                if (first is null)
                    first = probs;
                else
                    SameBits(first, probs, what + " vs width 512");
            }
        }
    }

    [Fact]
    public void BadTargetsAndBuffersThrow()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SoftmaxCrossEntropy.ForwardBackward(new float[6], [0, 3], 2, 3, 1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => SoftmaxCrossEntropy.Loss(new float[6], [5, 0], 2, 3));
        Assert.Throws<ArgumentException>(() => SoftmaxCrossEntropy.Loss(new float[5], [0, 0], 2, 3));
        Assert.Throws<ArgumentException>(() => SoftmaxCrossEntropy.Softmax(new float[5], new float[4], 1f));
    }

    [Fact]
    public void UniformLogitsGiveLogVocabulary()
    {
        var logits = new float[2 * 10];
        double loss = SoftmaxCrossEntropy.ForwardBackward(logits, [3, 7], 2, 10, 1f);
        Assert.Equal(2 * Math.Log(10), loss, 6);
        Assert.Equal(0.1f - 1f, logits[3], 6);
        Assert.Equal(0.1f, logits[4], 6);
    }
}
