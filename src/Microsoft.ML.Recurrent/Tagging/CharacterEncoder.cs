using System.Numerics;
using Microsoft.ML.Recurrent.Layers;

namespace Microsoft.ML.Recurrent.Tagging;

/// <summary>
/// Character features of words (Lample et al. 2016; Plank et al. 2016): each word's characters are embedded and
/// read by a one-layer bidirectional recurrence, and the two final states — after the last character forward, after
/// the first backward — are the word's features [N, 2·H], so a word never seen in training still has features from
/// its spelling. Shapes: N words of 1..<see cref="WordCharacters.MaxLength"/> character ids each (0 = unknown
/// character) → features written into rows of a wider input (row stride and column offset given).
/// <para>
/// The words of a batch are sorted by length and read in chunks of up to <see cref="ChunkSize"/> words (the last
/// one rounded up to a power of two, filled with one-character dummies that reach nothing), each chunk only as many
/// steps as its longest word: little padding, and GEMMs of many rows. Each chunk keeps its own stack buffers until
/// backward.
/// </para>
/// </summary>
internal sealed class CharacterEncoder
{
    /// <summary>Most words one recurrence pass reads.</summary>
    public const int ChunkSize = 256;

    private readonly Embedding _embedding;
    private readonly StackedRecurrence _stack;

    /// <summary>Declares the character embedding ("chars.embedding") and recurrence ("chars.layer0.forward/backward").</summary>
    public CharacterEncoder(ParameterStore store, StackShape shape, int characters, int embedding)
    {
        _embedding = new Embedding(store, "chars.embedding", characters, embedding);
        _stack = new StackedRecurrence(store, shape, embedding, prefix: "chars.");
    }

    public Embedding Embedding => _embedding;
    public StackedRecurrence Stack => _stack;
    /// <summary>Features per word: the two directions' final hidden states.</summary>
    public int OutputWidth => 2 * _stack.Hidden;

    public CharacterWorkspace CreateWorkspace() => new(this);

    // words [N][1..MaxLength] -> x[rows[n]·stride + offset ..][2·H]
    public void Forward(CharacterWorkspace ws, ReadOnlySpan<int[]> words, ReadOnlySpan<int> rows, Span<float> x, int stride, int offset)
    {
        int n = words.Length, hidden = _stack.Hidden;
        if (rows.Length != n) throw new ArgumentException($"Expected one row per word ({n}), got {rows.Length}.", nameof(rows));
        ws.Begin(words, rows);
        foreach (var chunk in ws.Chunks)
        {
            var stack = chunk.Stack;
            int steps = chunk.Steps, cap = stack.Batch;
            var ids = chunk.Ids.AsSpan(0, steps * cap);
            _embedding.Forward(ids, stack.Input(steps));
            _stack.Forward(stack, null, steps, null, chunk.Lengths);
            for (int d = 0; d < 2; d++)
            {
                _stack.FinalStates(stack, 0, d, chunk.H, chunk.C);
                for (int s = 0; s < chunk.Count; s++)
                    chunk.H.AsSpan(s * hidden, hidden).CopyTo(x.Slice(ws.Rows[chunk.Order[s]] * stride + offset + d * hidden, hidden));
            }
        }
    }

    // dx[rows[n]·stride + offset ..][2·H] (dLoss/dFeatures) -> parameter gradients
    public void Backward(CharacterWorkspace ws, ReadOnlySpan<float> dx, int stride, int offset)
    {
        int hidden = _stack.Hidden;
        foreach (var chunk in ws.Chunks)
        {
            var stack = chunk.Stack;
            int steps = chunk.Steps, cap = stack.Batch;
            stack.TopGradient(steps).Clear(); // the features are final states only: no other step's output is used
            for (int d = 0; d < 2; d++)
            {
                var dh = chunk.H.AsSpan(0, cap * hidden);
                dh.Clear(); // dummies get none
                for (int s = 0; s < chunk.Count; s++)
                    dx.Slice(ws.Rows[chunk.Order[s]] * stride + offset + d * hidden, hidden).CopyTo(dh.Slice(s * hidden, hidden));
                _stack.AddFinalStateGradient(stack, 0, d, dh, chunk.ZeroC);
            }
            _stack.Backward(stack, steps, inputGradient: true);
            _embedding.Backward(chunk.Ids.AsSpan(0, steps * cap), stack.InputGradient.AsSpan(0, steps * cap * _embedding.Width));
        }
    }

    /// <summary>Chunk capacity for <paramref name="count"/> words: <see cref="ChunkSize"/>, or the next power of two ≥ 8.</summary>
    internal static int Capacity(int count) => count >= ChunkSize ? ChunkSize : Math.Max(8, (int)BitOperations.RoundUpToPowerOf2((uint)count));
}

/// <summary>
/// The buffers of a <see cref="CharacterEncoder"/>: the current batch's words in length order, cut into chunks, each
/// with its own stack workspace kept from forward to backward; workspaces are pooled by capacity and reused.
/// </summary>
internal sealed class CharacterWorkspace(CharacterEncoder encoder)
{
    private readonly Dictionary<int, List<CharacterChunk>> _pool = [];
    private readonly Dictionary<int, int> _used = []; // chunks of each capacity taken by the current batch
    private readonly List<CharacterChunk> _chunks = [];
    private int[] _order = [], _lengths = [], _rows = [];
    private int _count;

    /// <summary>The chunks of the current batch, in order.</summary>
    public IReadOnlyList<CharacterChunk> Chunks => _chunks;
    /// <summary>Row of each word of the current batch (in the caller's order).</summary>
    public ReadOnlySpan<int> Rows => _rows.AsSpan(0, _count);

    /// <summary>Sorts the words by length and fills one chunk of character ids per <see cref="CharacterEncoder.ChunkSize"/> words.</summary>
    public void Begin(ReadOnlySpan<int[]> words, ReadOnlySpan<int> rows)
    {
        int n = words.Length;
        if (_order.Length < n)
        {
            _order = new int[n];
            _lengths = new int[n];
            _rows = new int[n];
        }
        rows.CopyTo(_rows);
        _count = n;
        for (int i = 0; i < n; i++)
        {
            int length = words[i].Length;
            if (length is < 1 or > WordCharacters.MaxLength)
                throw new ArgumentException($"Word {i} has {length} characters; each must have 1 to {WordCharacters.MaxLength}.", nameof(words));
            _order[i] = i;
            _lengths[i] = length;
        }
        Array.Sort(_lengths, _order, 0, n); // keys and items together: deterministic for the same batch
        _chunks.Clear();
        _used.Clear();
        for (int start = 0; start < n; start += CharacterEncoder.ChunkSize)
        {
            int count = Math.Min(CharacterEncoder.ChunkSize, n - start), cap = CharacterEncoder.Capacity(count);
            int k = _used.GetValueOrDefault(cap);
            _used[cap] = k + 1;
            if (!_pool.TryGetValue(cap, out var list)) _pool[cap] = list = [];
            if (list.Count == k) list.Add(new CharacterChunk(encoder, cap));
            var chunk = list[k];
            chunk.Fill(words, _order.AsSpan(start, count), _lengths[start + count - 1]);
            _chunks.Add(chunk);
        }
    }
}

/// <summary>Up to a capacity of words read in one recurrence pass: their character ids (time-major, row c·cap + s) and lengths.</summary>
internal sealed class CharacterChunk
{
    public CharacterChunk(CharacterEncoder encoder, int capacity)
    {
        int hidden = encoder.Stack.Hidden;
        bool cell = encoder.Stack.Recurrences[0].HasCell;
        Stack = encoder.Stack.CreateWorkspace(WordCharacters.MaxLength, capacity);
        Ids = new int[WordCharacters.MaxLength * capacity];
        Lengths = new int[capacity];
        Order = new int[capacity];
        H = new float[capacity * hidden];
        C = cell ? new float[capacity * hidden] : [];
        ZeroC = cell ? new float[capacity * hidden] : [];
    }

    public StackWorkspace Stack { get; }
    public int[] Ids { get; }
    public int[] Lengths { get; }
    /// <summary>Index (in the batch's words) of the word in each slot.</summary>
    public int[] Order { get; }
    /// <summary>Words in this chunk; slots beyond are one-character dummies.</summary>
    public int Count { get; private set; }
    /// <summary>Steps of this chunk: its longest word's length.</summary>
    public int Steps { get; private set; }
    /// <summary>Final hidden states [cap, H] after forward; their gradient during backward.</summary>
    public float[] H { get; }
    /// <summary>Final cell states (LSTM; empty otherwise), not used as features.</summary>
    public float[] C { get; }
    /// <summary>The zero cell-state gradient (the features are h only).</summary>
    public float[] ZeroC { get; }

    public void Fill(ReadOnlySpan<int[]> words, ReadOnlySpan<int> order, int steps)
    {
        int cap = Lengths.Length;
        Count = order.Length;
        Steps = steps;
        var ids = Ids.AsSpan(0, steps * cap);
        ids.Clear(); // padded characters and dummies read the unknown character; none reaches a valid word
        for (int s = 0; s < cap; s++)
        {
            if (s >= Count)
            {
                Lengths[s] = 1;
                continue;
            }
            var word = words[Order[s] = order[s]];
            Lengths[s] = word.Length;
            for (int c = 0; c < word.Length; c++) ids[c * cap + s] = word[c];
        }
    }
}
