using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Numerics;

namespace Microsoft.ML.Recurrent.Tagging;

/// <summary>
/// Words → [word embedding | character features] (or float steps) → L stacked recurrences, each optionally
/// bidirectional → a dense layer → a score per label at every step (softmax, or the emissions of a linear-chain
/// CRF). A batch holds B sentences right-padded to T steps (rows t·B + b). Padding cannot leak: the stack masks it
/// (see <see cref="StackedRecurrence"/>), padded steps have no characters, and the loss gives their scores zero gradient.
/// </summary>
internal sealed class SequenceTaggerNetwork
{
    /// <summary>The mask seeds of the input dropout (the stack's layers use 0..L−1, the word dropout its own).</summary>
    internal const int InputDropoutLayer = -1;

    private readonly Embedding? _embedding;
    private readonly CharacterEncoder? _characters;
    private readonly StackedRecurrence _stack;
    private readonly Dense _output;
    private readonly LinearChainCrf? _crf;
    private readonly Dropout? _embeddingDropout;

    /// <param name="shape">The architecture.</param>
    /// <param name="sharedValues">Weights of another network of the same shape to share (a replica with its own gradients and activations), or null.</param>
    public SequenceTaggerNetwork(TaggerShape shape, float[]? sharedValues = null)
    {
        shape.Validate();
        Shape = shape;
        Parameters = new ParameterStore();
        if (shape.WordInput) _embedding = new Embedding(Parameters, "embedding", shape.Vocabulary, shape.InputWidth);
        if (shape.CharacterFeatures) _characters = new CharacterEncoder(Parameters, shape.CharacterStack, shape.Characters, shape.CharEmbedding);
        _stack = new StackedRecurrence(Parameters, shape.Stack, shape.StackInputWidth, shape.Dropout);
        _output = new Dense(Parameters, "output", shape.OutputWidth, shape.Labels);
        if (shape.Crf) _crf = new LinearChainCrf(Parameters, shape.Labels);
        _embeddingDropout = shape.EmbeddingDropout > 0 ? new Dropout(shape.EmbeddingDropout) : null;
        Parameters.Seal(sharedValues);
    }

    /// <summary>A network reading the same weights with its own gradients (one per training thread).</summary>
    public SequenceTaggerNetwork CreateReplica() => new(Shape, Parameters.Values);

    public TaggerShape Shape { get; }
    public ParameterStore Parameters { get; }
    internal Embedding? Embedding => _embedding;
    internal CharacterEncoder? Characters => _characters;
    internal StackedRecurrence Stack => _stack;
    internal Dense Output => _output;
    /// <summary>The CRF over the label scores (null for a per-step softmax).</summary>
    internal LinearChainCrf? Crf => _crf;

    /// <summary>Glorot-uniform weights, N(0, 0.1²) embeddings, zero biases and CRF scores.</summary>
    public void Initialize(RandomSource random)
        => GlorotInitialization.Apply(Parameters, random, [(_embedding?.Weight, 0.1), (_characters?.Embedding.Weight, 0.1)], [_crf?.Transitions, _crf?.Start, _crf?.End]);

    public TaggerWorkspace CreateWorkspace(int maxSteps, int batch) => new(this, maxSteps, batch);

    /// <summary>
    /// ids [T·B] (word input; padding any id) or features [T·B, InputWidth] (float input), characters [T·B] (each valid
    /// step's character ids, with character features; padded steps are not read), lengths [B] in 1..T →
    /// ws.Logits [T·B, Labels]. Dropout runs only when its seed is given (training).
    /// </summary>
    public void Forward(TaggerWorkspace ws, ReadOnlySpan<int> ids, ReadOnlySpan<float> features, ReadOnlySpan<int[]?> characters,
        ReadOnlySpan<int> lengths, int steps, DropoutSeed? dropout)
    {
        if (lengths.Length != ws.Batch) throw new ArgumentException($"This workspace holds batches of {ws.Batch} sentences, not {lengths.Length}.", nameof(lengths));
        var stack = ws.Stack;
        stack.Begin(lengths, steps); // validates steps and lengths before the input is touched
        int batch = ws.Batch, rows = steps * batch, width = Shape.StackInputWidth, e = Shape.InputWidth;
        var x = stack.Input(steps);
        if (_embedding != null)
        {
            if (ids.Length != rows) throw new ArgumentException($"Expected {rows} word ids, got {ids.Length}.", nameof(ids));
            var embedded = ws.Embedded.AsSpan(0, rows * e);
            _embedding.Forward(ids, embedded);
            for (int r = 0; r < rows; r++) embedded.Slice(r * e, e).CopyTo(x.Slice(r * width, e));
        }
        else
        {
            if (features.Length != rows * e) throw new ArgumentException($"Expected {rows * e} values, got {features.Length}.", nameof(features));
            features.CopyTo(x);
        }
        if (_characters != null)
        {
            if (characters.Length != rows) throw new ArgumentException($"Expected the characters of {rows} steps, got {characters.Length}.", nameof(characters));
            int n = 0;
            for (int b = 0; b < batch; b++)
                for (int t = 0; t < lengths[b]; t++)
                {
                    int r = t * batch + b;
                    ws.Words[n] = characters[r] ?? throw new ArgumentException($"Step {t} of sentence {b} has no characters.", nameof(characters));
                    ws.WordRows[n++] = r;
                }
            for (int b = 0; b < batch; b++) // padded steps: no character features
                for (int t = lengths[b]; t < steps; t++) x.Slice((t * batch + b) * width + e, width - e).Clear();
            _characters.Forward(ws.Characters!, ws.Words.AsSpan(0, n), ws.WordRows.AsSpan(0, n), x, width, e);
        }
        ws.DropoutActive = dropout != null;
        if (ws.DropoutActive && _embeddingDropout != null)
            _embeddingDropout.Forward(x, x, ws.InputMask.AsSpan(0, rows * width), width, batch, dropout!.Value, InputDropoutLayer);
        _stack.Forward(stack, null, steps, dropout, lengths);
        _output.Forward(stack.TopOutput(steps), ws.Logits.AsSpan(0, rows * Shape.Labels), rows);
    }

    /// <summary>
    /// The best label of every step after forward, into best [T·B] (−1 on padded rows): each step's most probable
    /// label, or with a CRF the best sequence (Viterbi).
    /// </summary>
    public void Decode(TaggerWorkspace ws, Span<int> best)
    {
        int batch = ws.Batch, steps = ws.Steps, labels = Shape.Labels;
        var scores = ws.Logits.AsSpan(0, steps * batch * labels);
        if (_crf != null)
        {
            _crf.Viterbi(scores, ws.Lengths, steps, batch, best);
            return;
        }
        for (int t = 0; t < steps; t++)
            for (int b = 0; b < batch; b++)
            {
                int r = t * batch + b;
                best[r] = t < ws.Lengths[b] ? System.Numerics.Tensors.TensorPrimitives.IndexOfMax<float>(scores.Slice(r * labels, labels)) : -1;
            }
    }

    /// <summary>ws.Logits holds dLoss/dLogits [T·B, Labels] (zero on padded rows) → parameter gradients accumulated.</summary>
    public void Backward(TaggerWorkspace ws, ReadOnlySpan<int> ids)
    {
        var stack = ws.Stack;
        int batch = ws.Batch, steps = ws.Steps, rows = steps * batch, width = Shape.StackInputWidth, e = Shape.InputWidth;
        _output.Backward(stack.TopOutput(steps), ws.Logits.AsSpan(0, rows * Shape.Labels), stack.TopGradient(steps), rows);
        _stack.Backward(stack, steps, inputGradient: _embedding != null); // float input needs no input gradient
        if (_embedding == null) return;
        var dx = stack.InputGradient.AsSpan(0, rows * width);
        if (ws.DropoutActive && _embeddingDropout != null) Dropout.Backward(dx, ws.InputMask.AsSpan(0, dx.Length), dx);
        var dEmbedded = ws.Embedded.AsSpan(0, rows * e);
        for (int r = 0; r < rows; r++) dx.Slice(r * width, e).CopyTo(dEmbedded.Slice(r * e, e));
        _embedding.Backward(ids, dEmbedded);
        _characters?.Backward(ws.Characters!, dx, width, e);
    }
}
