namespace Microsoft.ML.Recurrent.Numerics;

/// <summary>
/// Pools time-major hidden states h [T·B, D·H] (row t·B + b; column block d is direction d) into p [B, D·H],
/// reading only each sequence's own steps t &lt; lengths[b]. Backward writes the gradient of every valid step
/// and zero at padded steps, so padding never receives (or passes on) a gradient.
/// </summary>
internal static class PoolingKernels
{
    public static void Forward(SequencePooling pooling, ReadOnlySpan<float> h, ReadOnlySpan<int> lengths, Span<float> p,
        Span<int> argMax, int hidden, int directions)
    {
        int batch = lengths.Length, width = hidden * directions;
        for (int b = 0; b < batch; b++)
        {
            int length = lengths[b];
            var pb = p.Slice(b * width, width);
            switch (pooling)
            {
                case SequencePooling.Last:
                    for (int d = 0; d < directions; d++)
                        h.Slice(LastRow(d, length, batch, b) * width + d * hidden, hidden).CopyTo(pb.Slice(d * hidden, hidden));
                    break;
                case SequencePooling.Mean:
                    pb.Clear();
                    for (int t = 0; t < length; t++)
                        System.Numerics.Tensors.TensorPrimitives.Add(pb, h.Slice((t * batch + b) * width, width), pb);
                    System.Numerics.Tensors.TensorPrimitives.Multiply(pb, 1f / length, pb);
                    break;
                default:
                    var ab = argMax.Slice(b * width, width);
                    h.Slice(b * width, width).CopyTo(pb);
                    ab.Clear();
                    for (int t = 1; t < length; t++)
                    {
                        var row = h.Slice((t * batch + b) * width, width);
                        for (int j = 0; j < width; j++)
                            if (row[j] > pb[j]) { pb[j] = row[j]; ab[j] = t; }
                    }
                    break;
            }
        }
    }

    // dp [B, D·H] -> dh [T·B, D·H] (overwritten; zero at padded steps)
    public static void Backward(SequencePooling pooling, ReadOnlySpan<float> dp, ReadOnlySpan<int> lengths, ReadOnlySpan<int> argMax,
        Span<float> dh, int hidden, int directions)
    {
        int batch = lengths.Length, width = hidden * directions;
        dh.Clear();
        for (int b = 0; b < batch; b++)
        {
            int length = lengths[b];
            var db = dp.Slice(b * width, width);
            switch (pooling)
            {
                case SequencePooling.Last:
                    for (int d = 0; d < directions; d++)
                        db.Slice(d * hidden, hidden).CopyTo(dh.Slice(LastRow(d, length, batch, b) * width + d * hidden, hidden));
                    break;
                case SequencePooling.Mean:
                    for (int t = 0; t < length; t++)
                        System.Numerics.Tensors.TensorPrimitives.Multiply(db, 1f / length, dh.Slice((t * batch + b) * width, width));
                    break;
                default:
                    var ab = argMax.Slice(b * width, width);
                    for (int j = 0; j < width; j++) dh[(ab[j] * batch + b) * width + j] = db[j];
                    break;
            }
        }
    }

    // The forward direction ends at the sequence's last step; the backward direction (run over the reversed
    // sequence, its outputs put back in original order) ends at step 0.
    private static int LastRow(int direction, int length, int batch, int b) => (direction == 0 ? length - 1 : 0) * batch + b;
}
