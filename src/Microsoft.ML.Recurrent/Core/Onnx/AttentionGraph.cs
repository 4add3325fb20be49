using Microsoft.ML.Recurrent.Layers;

namespace Microsoft.ML.Recurrent.Onnx;

/// <summary>
/// Emits an <see cref="Attention"/>'s forward as ONNX nodes over one memory shared by N query rows (a decoder's one
/// sequence, or its beam's K hypotheses over the same source or image): the keys once, outside any Loop, then per step
/// the weights and the context, as <see cref="Attention.Forward"/> computes them. The parameters are read under their
/// own names ([rows, cols], as the task exports them).
/// </summary>
internal static class AttentionGraph
{
    /// <summary>
    /// memory [S, M] → what <see cref="Context"/> reads: keysᵀ [K, S] (dot: the memory itself; general: m·W), or the
    /// additive keys m·W [S, K].
    /// </summary>
    public static string Keys(GraphBuilder g, Attention attention, string memory)
    {
        string keys = attention.KeysAreMemory ? memory : g.Add("MatMul", [memory, attention.KeyWeight!.Name]);
        return attention.Score == AttentionScore.Additive ? keys : g.Add("Transpose", [keys]); // no perm: a 2-D transpose
    }

    /// <summary>query [N, Q] → the weights [N, S] (softmax of the scores) and the context [N, M] = weights · memory.</summary>
    public static (string Weights, string Context) Context(GraphBuilder b, Attention attention, string query, string keys, string memory)
    {
        string weights = b.Add("Softmax", [Scores(b, attention, query, keys)], AttributeProto.Of("axis", -1L));
        return (weights, b.Add("MatMul", [weights, memory]));
    }

    // query [N, Q] -> scores [N, S]: q·kᵀ (dot, general) or v·tanh(k_s + q·U) (additive: [1, S, K] + [N, 1, K] -> [N, S, K], then ·vᵀ)
    private static string Scores(GraphBuilder b, Attention attention, string query, string keys)
    {
        if (attention.Score != AttentionScore.Additive) return b.Add("MatMul", [query, keys]);
        string projected = b.Unsqueeze(b.Add("MatMul", [query, attention.QueryWeight!.Name]), 1); // [N, 1, K]
        string hidden = b.Add("Tanh", [b.Add("Add", [keys, projected])]); // [N, S, K]
        string column = b.Add("Reshape", [attention.Vector!.Name, b.Int64s(-1, 1)]); // v [1, K] -> [K, 1]
        return b.Squeeze(b.Add("MatMul", [hidden, column]), 2);
    }
}
