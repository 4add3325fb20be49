namespace Microsoft.ML.Recurrent.LanguageModel;

/// <summary>
/// char-rnn's minibatch layout: the first ⌊(n−1)/(B·T)⌋·B·T characters are cut into B contiguous streams,
/// read T characters at a time, so that stream b of chunk c+1 continues stream b of chunk c and the hidden
/// state can be carried across chunks. Inputs and targets are time-major (row t·B + b).
/// </summary>
internal sealed class TextStreams
{
    private readonly int[] _ids;
    private readonly int _streamLength;

    public TextStreams(int[] ids, int batch, int steps, string what)
    {
        long needed = (long)batch * steps + 1;
        if (ids.Length < needed)
            throw new ArgumentException(
                $"The {what} has {ids.Length} characters, but batch size {batch} × sequence length {steps} needs at least {needed}. " +
                "Use more text or lower BatchSize / SequenceLength.", nameof(ids));
        _ids = ids;
        Batch = batch;
        Steps = steps;
        Chunks = (ids.Length - 1) / (batch * steps);
        _streamLength = Chunks * steps;
    }

    /// <summary>Streams B.</summary>
    public int Batch { get; }
    /// <summary>Steps per chunk T.</summary>
    public int Steps { get; }
    /// <summary>Chunks per pass over the text (an epoch).</summary>
    public int Chunks { get; }
    /// <summary>Characters predicted per pass.</summary>
    public long Characters => (long)Chunks * Batch * Steps;

    /// <summary>Streams and steps for evaluating short texts: as asked when the text allows, smaller otherwise.</summary>
    public static TextStreams ForEvaluation(int[] ids, int batch, int steps, string what)
    {
        if (ids.Length < 2) throw new ArgumentException($"The {what} needs at least 2 characters to be evaluated.", nameof(ids));
        steps = Math.Min(steps, ids.Length - 1);
        batch = Math.Max(1, Math.Min(batch, (ids.Length - 1) / steps));
        return new TextStreams(ids, batch, steps, what);
    }

    // chunk -> inputs [T·B], targets [T·B]
    public void Fill(int chunk, Span<int> inputs, Span<int> targets) => Fill(chunk, inputs, targets, 0, Batch);

    // chunk, streams [first, first + count) -> inputs [T·count], targets [T·count]
    public void Fill(int chunk, Span<int> inputs, Span<int> targets, int firstStream, int streamCount)
    {
        for (int b = 0; b < streamCount; b++)
        {
            int start = (firstStream + b) * _streamLength + chunk * Steps;
            for (int t = 0; t < Steps; t++)
            {
                inputs[t * streamCount + b] = _ids[start + t];
                targets[t * streamCount + b] = _ids[start + t + 1];
            }
        }
    }
}
