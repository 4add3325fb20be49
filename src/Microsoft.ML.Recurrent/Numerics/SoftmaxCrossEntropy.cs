using System.Numerics.Tensors;

namespace Microsoft.ML.Recurrent.Numerics;

/// <summary>Softmax with cross-entropy over rows of logits, fused with its gradient.</summary>
internal static class SoftmaxCrossEntropy
{
    /// <summary>
    /// logits [rows, vocab] are replaced by gradScale · (softmax − onehot(target)); returns the summed
    /// negative log-likelihood (nats) of the targets. A negative target marks a row to ignore (zero gradient).
    /// </summary>
    public static double ForwardBackward(Span<float> logits, ReadOnlySpan<int> targets, int rows, int vocab, float gradScale)
    {
        double loss = 0;
        for (int r = 0; r < rows; r++)
        {
            var row = logits.Slice(r * vocab, vocab);
            int t = targets[r];
            if (t < 0) { row.Clear(); continue; }
            float max = TensorPrimitives.Max(row);
            double sum = 0;
            for (int j = 0; j < vocab; j++) { float e = MathF.Exp(row[j] - max); row[j] = e; sum += e; }
            float inv = (float)(1.0 / sum);
            loss -= Math.Log(Math.Max(row[t] * inv, 1e-30f));
            for (int j = 0; j < vocab; j++) row[j] *= inv * gradScale;
            row[t] -= gradScale;
        }
        return loss;
    }

    /// <summary>Summed negative log-likelihood (nats) of the targets; logits are left unchanged.</summary>
    public static double Loss(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, int rows, int vocab)
    {
        double loss = 0;
        for (int r = 0; r < rows; r++)
        {
            int t = targets[r];
            if (t < 0) continue;
            var row = logits.Slice(r * vocab, vocab);
            float max = TensorPrimitives.Max(row);
            double sum = 0;
            for (int j = 0; j < vocab; j++) sum += MathF.Exp(row[j] - max);
            loss += Math.Log(sum) - (row[t] - max);
        }
        return loss;
    }

    /// <summary>Softmax of logits / temperature into probs (same length).</summary>
    public static void Softmax(ReadOnlySpan<float> logits, Span<float> probs, float temperature)
    {
        TensorPrimitives.Divide(logits, temperature, probs);
        TensorPrimitives.SoftMax(probs, probs);
    }
}
