namespace Microsoft.ML.Recurrent.Classification;

/// <summary>
/// Naive Bayes evidence from the bag of a token sequence's n-grams, added to a classifier's logits with a weight:
/// y[b] += β · s[b], s[b] = Σ W[row(g)] over every n-gram g of sequence b (n = 1..<see cref="Length"/>, with
/// repetition), where W[row, c] is the smoothed log-probability of the n-gram in class c, centred over the classes.
/// This is the multinomial naive Bayes / NBSVM model that linear text classifiers owe their strength on small data
/// sets to. W is counted and β fitted in closed form by the trainer, not learned by backpropagation, so the layer has
/// no gradient. Unigrams index rows [0, Vocabulary) directly; longer n-grams are hashed into <see cref="Buckets"/>
/// rows after them with <see cref="Row"/>, a hash the ONNX graph computes the same way.
/// Shapes: ids [T·B] time-major (row t·B + b), lengths [B], W [Vocabulary + Buckets, Classes], s and y [B, Classes].
/// </summary>
internal sealed class NgramBag
{
    /// <summary>The multiplier of the polynomial hash; every intermediate value (below 2^31 · P + 2^31) fits a long.</summary>
    public const long HashMultiplier = 1_000_003;

    /// <summary>Most hash buckets allowed.</summary>
    public const int MaxBuckets = 1 << 24;

    public NgramBag(int vocabulary, int length, int buckets, int classes)
    {
        Vocabulary = vocabulary;
        Length = length;
        Buckets = length > 1 ? buckets : 0;
        Classes = classes;
        Table = new float[(long)(vocabulary + Buckets) * classes is var n && n <= Array.MaxLength ? (int)n
            : throw new ArgumentOutOfRangeException(nameof(buckets), buckets, "The n-gram table would not fit in one array.")];
    }

    /// <summary>β, the weight of the evidence in the logits; 0 (the start) leaves the logits alone.</summary>
    public float Scale { get; set; }

    /// <summary>W [Vocabulary + Buckets, Classes], counted from the training data.</summary>
    public float[] Table { get; }

    public int Vocabulary { get; }
    public int Length { get; }
    public int Buckets { get; }
    public int Classes { get; }

    /// <summary>Table row of the n-gram ids[start], ids[start + stride], … (n ids): the id itself for a unigram,
    /// else Vocabulary + h_n with h₀ = n, h_(j+1) = (h_j·P + ids_j) mod M. Starting from n keeps an n-gram from
    /// hashing like the shorter one after its first id when that id is 0.</summary>
    public int Row(ReadOnlySpan<int> ids, int start, int stride, int n)
    {
        if (n == 1) return ids[start];
        long h = n;
        for (int j = 0; j < n; j++) h = (h * HashMultiplier + ids[start + j * stride]) % Buckets;
        return Vocabulary + (int)h;
    }

    // ids [T·B], lengths [B] -> s [B, C] = Σ W[row(g)]
    public void Evidence(ReadOnlySpan<int> ids, ReadOnlySpan<int> lengths, Span<float> s)
    {
        int batch = lengths.Length;
        s.Clear();
        for (int b = 0; b < batch; b++)
        {
            var sum = s.Slice(b * Classes, Classes);
            for (int n = 1; n <= Length; n++)
                for (int t = 0; t + n <= lengths[b]; t++)
                    System.Numerics.Tensors.TensorPrimitives.Add(sum, Table.AsSpan(Row(ids, t * batch + b, batch, n) * Classes, Classes), sum);
        }
    }

    // ids [T·B], lengths [B] -> y [B, C] += β·s (s written to the scratch [B, C]); nothing while β is 0
    public void Forward(ReadOnlySpan<int> ids, ReadOnlySpan<int> lengths, Span<float> scratch, Span<float> y)
    {
        if (Scale == 0) return;
        Evidence(ids, lengths, scratch);
        System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(scratch, Scale, y, y);
    }
}
