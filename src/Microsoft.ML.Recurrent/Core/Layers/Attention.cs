using System.Numerics.Tensors;
using Microsoft.ML.Recurrent.Numerics;

namespace Microsoft.ML.Recurrent.Layers;

/// <summary>
/// Global attention of a query over a memory of S vectors per stream (Luong et al. 2015; Bahdanau et al. 2015):
/// e_s = q·k_s (dot, general) or v·tanh(k_s + q·U) (additive), a = softmax of e over the stream's valid s, and the
/// context Σ a_s m_s. The keys k = m·W (m itself for dot) are computed once per memory, so a decoder's T queries
/// share them. Shapes: memory [B, S, M] and keys [B, S, K] batch-major (each stream's S rows together), query [B, Q],
/// weights [B, S], context [B, M]; additive keeps tanh(k_s + q·U) [B, S, K] for backward.
/// </summary>
internal sealed class Attention
{
    /// <param name="store">Where the parameters are declared.</param>
    /// <param name="name">Starts every parameter name.</param>
    /// <param name="score">The score function.</param>
    /// <param name="memoryWidth">M, the width of a memory vector.</param>
    /// <param name="queryWidth">Q, the width of the query.</param>
    /// <param name="additiveWidth">The additive score's hidden width (ignored by the others).</param>
    public Attention(ParameterStore store, string name, AttentionScore score, int memoryWidth, int queryWidth, int additiveWidth)
    {
        Score = score;
        MemoryWidth = memoryWidth;
        QueryWidth = queryWidth;
        switch (score)
        {
            case AttentionScore.Dot:
                if (memoryWidth != queryWidth)
                    throw new ArgumentException($"Dot attention needs a memory as wide as the query ({memoryWidth} ≠ {queryWidth}).", nameof(score));
                KeyWidth = memoryWidth;
                break;
            case AttentionScore.General:
                KeyWidth = queryWidth;
                KeyWeight = store.Declare(name + ".keys", memoryWidth, queryWidth);
                break;
            case AttentionScore.Additive:
                KeyWidth = additiveWidth;
                KeyWeight = store.Declare(name + ".keys", memoryWidth, additiveWidth);
                QueryWeight = store.Declare(name + ".query", queryWidth, additiveWidth);
                Vector = store.Declare(name + ".v", 1, additiveWidth);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(score), score, "Unknown attention score.");
        }
    }

    public AttentionScore Score { get; }
    public int MemoryWidth { get; }
    public int QueryWidth { get; }
    /// <summary>K: the width of a key (M for dot, Q for general, the additive width for additive).</summary>
    public int KeyWidth { get; }
    /// <summary>W [M, K] (null for dot).</summary>
    public Parameter? KeyWeight { get; }
    /// <summary>U [Q, K] (additive only).</summary>
    public Parameter? QueryWeight { get; }
    /// <summary>v [K] (additive only).</summary>
    public Parameter? Vector { get; }
    /// <summary>Whether the keys are the memory itself (dot): then the caller passes the memory (and its gradient) as the keys.</summary>
    public bool KeysAreMemory => KeyWeight == null;

    // memory [N, M] -> keys [N, K] (not for dot)
    public void Keys(ReadOnlySpan<float> memory, Span<float> keys, int rows)
        => Gemm.MatMul(memory, KeyWeight!.Value, keys, rows, MemoryWidth, KeyWidth, accumulate: false);

    // dKeys [N, K] -> dW += memoryᵀ·dKeys, dMemory += dKeys·Wᵀ (not for dot; dMemory empty: a memory that is an input)
    public void KeysBackward(ReadOnlySpan<float> memory, ReadOnlySpan<float> dKeys, Span<float> dMemory, int rows)
    {
        Gemm.MatMulTransA(memory, dKeys, KeyWeight!.Gradient, MemoryWidth, rows, KeyWidth, accumulate: true);
        if (!dMemory.IsEmpty) Gemm.MatMulTransB(dKeys, KeyWeight.Value, dMemory, rows, KeyWidth, MemoryWidth, accumulate: true);
    }

    /// <summary>Scratch of <see cref="Forward"/> and <see cref="Backward"/> for batches of <paramref name="batch"/> streams of up to <paramref name="steps"/> memory vectors.</summary>
    public AttentionScratch CreateScratch(int batch, int steps) => new(batch * (Score == AttentionScore.Additive ? KeyWidth : 0), steps, KeyWidth);

    // query [B, Q], keys [B, S, K], memory [B, S, M], lengths [B] -> weights [B, S] (0 past a stream's length),
    // context [B, M]; additive: hidden [B, S, K]
    public void Forward(ReadOnlySpan<float> query, ReadOnlySpan<float> keys, ReadOnlySpan<float> memory, ReadOnlySpan<int> lengths, int steps,
        Span<float> weights, Span<float> context, Span<float> hidden, AttentionScratch scratch)
    {
        int batch = lengths.Length, k = KeyWidth, m = MemoryWidth;
        if (Score == AttentionScore.Additive)
            Gemm.MatMul(query, QueryWeight!.Value, scratch.Projected, batch, QueryWidth, k, accumulate: false);
        for (int b = 0; b < batch; b++)
        {
            int length = lengths[b];
            var w = weights.Slice(b * steps, steps);
            for (int s = 0; s < length; s++)
            {
                var key = keys.Slice((b * steps + s) * k, k);
                if (Score == AttentionScore.Additive)
                {
                    var h = hidden.Slice((b * steps + s) * k, k);
                    TensorPrimitives.Add(key, scratch.Projected.AsSpan(b * k, k), h);
                    TensorPrimitives.Tanh(h, h);
                    w[s] = TensorPrimitives.Dot(h, Vector!.Value);
                }
                else w[s] = TensorPrimitives.Dot(key, query.Slice(b * QueryWidth, QueryWidth));
            }
            SoftmaxCrossEntropy.Softmax(w[..length], w[..length], 1f); // shifted by the max: large scores must not overflow
            w[length..].Clear();
            var c = context.Slice(b * m, m);
            c.Clear();
            for (int s = 0; s < length; s++) TensorPrimitives.MultiplyAdd(memory.Slice((b * steps + s) * m, m), w[s], c, c);
        }
    }

    // dContext [B, M] (and dWeights [B, S], a loss on the weights themselves; empty: none) -> dQuery [B, Q] += ,
    // dKeys [B, S, K] += , dMemory [B, S, M] += (skipped when empty: a memory that is an input); dU, dv accumulated (additive)
    public void Backward(ReadOnlySpan<float> dContext, ReadOnlySpan<float> query, ReadOnlySpan<float> keys, ReadOnlySpan<float> memory,
        ReadOnlySpan<int> lengths, int steps, ReadOnlySpan<float> weights, ReadOnlySpan<float> hidden,
        Span<float> dQuery, Span<float> dKeys, Span<float> dMemory, AttentionScratch scratch, ReadOnlySpan<float> dWeights = default)
    {
        int batch = lengths.Length, k = KeyWidth, m = MemoryWidth, q = QueryWidth;
        var dScore = scratch.Scores.AsSpan(0, steps);
        var dProjected = scratch.Projected.AsSpan(0, batch * (Score == AttentionScore.Additive ? k : 0));
        dProjected.Clear();
        for (int b = 0; b < batch; b++)
        {
            int length = lengths[b];
            var w = weights.Slice(b * steps, steps);
            var dc = dContext.Slice(b * m, m);
            double weighted = 0;
            for (int s = 0; s < length; s++)
            {
                var row = memory.Slice((b * steps + s) * m, m);
                if (!dMemory.IsEmpty)
                {
                    var dRow = dMemory.Slice((b * steps + s) * m, m);
                    TensorPrimitives.MultiplyAdd(dc, w[s], dRow, dRow);
                }
                dScore[s] = TensorPrimitives.Dot(dc, row) + (dWeights.IsEmpty ? 0f : dWeights[b * steps + s]);
                weighted += w[s] * dScore[s];
            }
            for (int s = 0; s < length; s++) dScore[s] = w[s] * (dScore[s] - (float)weighted); // softmax backward
            for (int s = 0; s < length; s++)
            {
                var dKey = dKeys.Slice((b * steps + s) * k, k);
                if (Score == AttentionScore.Additive)
                {
                    var h = hidden.Slice((b * steps + s) * k, k);
                    TensorPrimitives.MultiplyAdd(h, dScore[s], Vector!.Gradient, Vector.Gradient);
                    var dh = scratch.Hidden;
                    TensorPrimitives.Multiply(h, h, dh);
                    TensorPrimitives.Subtract(1f, dh, dh);
                    TensorPrimitives.Multiply(dh, Vector.Value, dh);
                    TensorPrimitives.Multiply(dh, dScore[s], dh); // d(k_s + q·U) = e' · v ⊙ (1 − tanh²)
                    TensorPrimitives.Add(dKey, dh, dKey);
                    var dp = dProjected.Slice(b * k, k);
                    TensorPrimitives.Add(dp, dh, dp);
                }
                else
                {
                    TensorPrimitives.MultiplyAdd(query.Slice(b * q, q), dScore[s], dKey, dKey);
                    var dq = dQuery.Slice(b * q, q);
                    TensorPrimitives.MultiplyAdd(keys.Slice((b * steps + s) * k, k), dScore[s], dq, dq);
                }
            }
        }
        if (Score != AttentionScore.Additive) return;
        Gemm.MatMulTransA(query, dProjected, QueryWeight!.Gradient, q, batch, k, accumulate: true);
        Gemm.MatMulTransB(dProjected, QueryWeight.Value, dQuery, batch, k, q, accumulate: true);
    }
}

/// <summary>What <see cref="Attention"/> needs besides its inputs and outputs: the projected queries (and their gradient), one stream's scores.</summary>
internal sealed class AttentionScratch(int projected, int steps, int keyWidth)
{
    public float[] Projected { get; } = new float[projected];
    public float[] Scores { get; } = new float[steps];
    public float[] Hidden { get; } = new float[keyWidth];
}
