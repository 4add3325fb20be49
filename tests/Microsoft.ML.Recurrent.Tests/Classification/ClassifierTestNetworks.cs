using Microsoft.ML.Recurrent.Classification;
using Microsoft.ML.Recurrent.Numerics;

namespace Microsoft.ML.Recurrent.Tests.Classification;

/// <summary>Small random classifier networks and a batch-of-one probability helper.</summary>
internal static class ClassifierTestNetworks
{
    public const int Vocabulary = 6, Width = 3, Hidden = 4, Classes = 3;

    /// <summary>Few buckets, so that hashed n-grams share rows as they do at scale.</summary>
    public const int NgramBuckets = 7;

    /// <param name="ngramLength">&gt; 0 adds n-gram evidence with a random table and scale.</param>
    public static SequenceClassifierNetwork Random(RecurrentCell cell, int layers, bool bidirectional, SequencePooling pooling,
        bool tokens = true, float dropout = 0f, int seed = 1, int ngramLength = 0)
    {
        var shape = new ClassifierShape(cell, tokens ? Vocabulary : 0, Width, Hidden, layers, bidirectional, pooling, Classes, dropout, dropout,
            ngramLength, NgramBuckets);
        var net = new SequenceClassifierNetwork(shape);
        var random = new RandomSource(seed);
        foreach (var p in net.Parameters.Parameters)
            for (int i = 0; i < p.Length; i++) p.Value[i] = random.NextFloat() - 0.5f; // biases too, so every parameter is exercised
        if (net.Ngrams is { } bag)
        {
            for (int i = 0; i < bag.Table.Length; i++) bag.Table[i] = random.NextFloat() - 0.5f;
            bag.Scale = 0.7f;
        }
        return net;
    }

    /// <summary>Logits of each sequence run alone (batch 1, no padding).</summary>
    public static float[] AloneLogits(SequenceClassifierNetwork net, int[] ids)
    {
        var ws = net.CreateWorkspace(ids.Length, 1);
        net.Forward(ws, ids, [], [ids.Length], ids.Length, null);
        return ws.Logits.AsSpan(0, net.Shape.Classes).ToArray();
    }
}
