namespace Microsoft.ML.Recurrent.Training;

/// <summary>The batch layout every task's stack reads: B sequences right-padded to T steps, time-major (row t·B + b).</summary>
internal static class TimeMajor
{
    // sequences[rows[b]] (steps × width values each) -> batch [T·B, width], padded steps zero
    public static void Lay(float[][] sequences, ReadOnlySpan<int> rows, int width, Span<float> batch)
    {
        batch.Clear();
        int count = rows.Length;
        for (int b = 0; b < count; b++)
        {
            var seq = sequences[rows[b]];
            for (int t = 0; t < seq.Length / width; t++) seq.AsSpan(t * width, width).CopyTo(batch.Slice((t * count + b) * width, width));
        }
    }
}
