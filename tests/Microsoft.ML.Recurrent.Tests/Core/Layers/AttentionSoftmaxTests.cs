using Microsoft.ML.Recurrent.Layers;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Core.Layers;

/// <summary>Attention weights stay a softmax when scores are large: the ones de-en training reaches within ten updates.</summary>
public class AttentionSoftmaxTests
{
    [Fact]
    public void ScoresAboveWhatExpCanHoldGiveTheScalarSoftmax()
    {
        var attention = new Attention(new ParameterStore(), "a", AttentionScore.Dot, memoryWidth: 2, queryWidth: 2, additiveWidth: 0);
        float[] memory = [1, 0, 2, 0, 1.5f, 0], query = [100, 0]; // scores 100, 200, 150: exp(200) is ∞ in float
        float[] weights = new float[3], context = new float[2];
        attention.Forward(query, memory, memory, [3], 3, weights, context, [], attention.CreateScratch(1, 3));

        double[] scores = [100, 200, 150];
        double max = scores.Max(), sum = scores.Sum(s => Math.Exp(s - max));
        for (int s = 0; s < 3; s++) Assert.Equal(Math.Exp(scores[s] - max) / sum, weights[s], 1e-6);
        Assert.Equal(2 * weights[1] + weights[0] + 1.5 * weights[2], context[0], 1e-5);
    }
}
