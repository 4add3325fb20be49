
namespace Microsoft.ML.Recurrent.Classification;

/// <summary>
/// Per-class counts of the training sequences that contain each n-gram row of an <see cref="NgramBag"/> (each
/// sequence counts an n-gram once, as NBSVM binarises its features), from which the bag's table is the smoothed
/// multinomial log-probability log((α + n_c(g)) / (α·F + T_c)), centred over the classes, where T_c sums n_c over
/// all rows and F is the number of rows seen in training.
/// A training sequence's own evidence is computed <see cref="LeaveOneOut">leaving it out of the counts</see>: the
/// learned scale and the recurrent network beside the bag then train on evidence as honest as a new sentence's,
/// instead of on counts that already know the sentence's label.
/// </summary>
internal sealed class NgramCounts
{
    private readonly NgramBag _bag;
    private readonly int[] _counts; // [rows, classes]
    private readonly long[] _totals; // [classes]
    private readonly double _smoothing;
    private readonly double[] _denominators; // α·F + T_c
    private readonly HashSet<int> _seen = [];

    private NgramCounts(NgramBag bag, double smoothing)
    {
        _bag = bag;
        _smoothing = smoothing;
        _counts = new int[bag.Table.Length];
        _totals = new long[bag.Classes];
        _denominators = new double[bag.Classes];
    }

    /// <summary>Counts the n-grams of the sequences <paramref name="rows"/> of <paramref name="tokens"/>.</summary>
    public static NgramCounts Count(NgramBag bag, int[][] tokens, int[] labels, ReadOnlySpan<int> rows, double smoothing = 1.0)
    {
        var counts = new NgramCounts(bag, smoothing);
        int distinct = 0;
        foreach (int r in rows)
        {
            int c = labels[r];
            foreach (int row in counts.DistinctRows(tokens[r]))
            {
                if (counts._counts.AsSpan(row * bag.Classes, bag.Classes).IndexOfAnyExcept(0) < 0) distinct++;
                counts._counts[row * bag.Classes + c]++;
                counts._totals[c]++;
            }
        }
        for (int c = 0; c < bag.Classes; c++) counts._denominators[c] = smoothing * distinct + counts._totals[c];
        return counts;
    }

    /// <summary>Writes the bag's table from the counts.</summary>
    public void FillTable()
    {
        int classes = _bag.Classes;
        Span<double> logs = stackalloc double[classes];
        for (int row = 0; row < _bag.Table.Length / classes; row++)
        {
            for (int c = 0; c < classes; c++) logs[c] = Math.Log((_smoothing + _counts[row * classes + c]) / _denominators[c]);
            Centre(logs, _bag.Table.AsSpan(row * classes, classes));
        }
    }

    /// <summary>s [classes]: the evidence of <paramref name="sequence"/> (labelled <paramref name="label"/>, one of the
    /// counted sequences) with its own contribution taken out of the counts; F stays as counted.</summary>
    public void LeaveOneOut(int[] sequence, int label, Span<float> s)
    {
        int classes = _bag.Classes;
        var own = DistinctRows(sequence);
        Span<double> logs = stackalloc double[classes];
        Span<float> centred = stackalloc float[classes];
        s.Clear();
        for (int n = 1; n <= _bag.Length; n++)
            for (int t = 0; t + n <= sequence.Length; t++)
            {
                int row = _bag.Row(sequence, t, 1, n);
                for (int c = 0; c < classes; c++)
                {
                    bool mine = c == label;
                    logs[c] = Math.Log((_smoothing + _counts[row * classes + c] - (mine ? 1 : 0)) / (_denominators[c] - (mine ? own.Count : 0)));
                }
                Centre(logs, centred);
                System.Numerics.Tensors.TensorPrimitives.Add(s, centred, s);
            }
    }

    // the distinct table rows of a sequence's n-grams (a reused set)
    private HashSet<int> DistinctRows(int[] sequence)
    {
        _seen.Clear();
        for (int n = 1; n <= _bag.Length; n++)
            for (int t = 0; t + n <= sequence.Length; t++) _seen.Add(_bag.Row(sequence, t, 1, n));
        return _seen;
    }

    private static void Centre(ReadOnlySpan<double> logs, Span<float> destination)
    {
        double mean = 0;
        foreach (double l in logs) mean += l;
        mean /= logs.Length;
        for (int c = 0; c < logs.Length; c++) destination[c] = (float)(logs[c] - mean);
    }
}
