using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Numerics;

namespace Microsoft.ML.Recurrent.Classification;

/// <summary>
/// Tokens → embedding (or float steps) → L stacked recurrences, each optionally bidirectional → pooling over
/// the steps → dense → class logits, plus (optionally, token input) the scaled naive Bayes evidence of the tokens'
/// n-grams (<see cref="NgramBag"/>). A batch holds B sequences right-padded to T steps (rows t·B + b). Padding
/// cannot leak: the forward direction reads steps in order, so padded steps come after every valid one; the
/// backward direction runs over each sequence reversed within its own length (padding again comes last); and
/// pooling reads only valid steps, so padded steps get zero gradient and backward is exact.
/// </summary>
internal sealed class SequenceClassifierNetwork
{
    private readonly Embedding? _embedding;
    private readonly StackedRecurrence _stack;
    private readonly Dense _output;
    private readonly NgramBag? _ngrams;
    private readonly Dropout? _embeddingDropout;
    private readonly Dropout? _dropout;

    /// <param name="shape">The architecture.</param>
    public SequenceClassifierNetwork(ClassifierShape shape)
    {
        shape.Validate();
        Shape = shape;
        Parameters = new ParameterStore();
        if (shape.TokenInput) _embedding = new Embedding(Parameters, "embedding", shape.Vocabulary, shape.InputWidth);
        _stack = new StackedRecurrence(Parameters, shape.Stack, shape.InputWidth);
        _output = new Dense(Parameters, "output", shape.OutputWidth, shape.Classes);
        if (shape.NgramLength > 0) _ngrams = new NgramBag(shape.Vocabulary, shape.NgramLength, shape.NgramBuckets, shape.Classes);
        _embeddingDropout = shape.EmbeddingDropout > 0 ? new Dropout(shape.EmbeddingDropout) : null;
        _dropout = shape.Dropout > 0 ? new Dropout(shape.Dropout) : null;
        Parameters.Seal();
    }

    public ClassifierShape Shape { get; }
    public ParameterStore Parameters { get; }
    internal Embedding? Embedding => _embedding;
    internal StackedRecurrence Stack => _stack;
    internal Dense Output => _output;
    internal NgramBag? Ngrams => _ngrams;

    /// <summary>Glorot-uniform weights, N(0, 0.1²) embeddings, zero biases.</summary>
    public void Initialize(RandomSource random) => GlorotInitialization.Apply(Parameters, random, [(_embedding?.Weight, 0.1)]);

    public ClassifierWorkspace CreateWorkspace(int maxSteps, int batch) => new(this, maxSteps, batch);

    /// <summary>
    /// ids [T·B] (token input) or features [T·B, InputWidth] (float input), lengths [B] in 1..T →
    /// ws.Logits [B, Classes]. Dropout runs only when its seed is given (training).
    /// </summary>
    public void Forward(ClassifierWorkspace ws, ReadOnlySpan<int> ids, ReadOnlySpan<float> features, ReadOnlySpan<int> lengths, int steps,
        DropoutSeed? dropout)
    {
        if (lengths.Length != ws.Batch) throw new ArgumentException($"This workspace holds batches of {ws.Batch} sequences, not {lengths.Length}.", nameof(lengths));
        var stack = ws.Stack;
        stack.Begin(lengths, steps); // validates steps and lengths before the input is touched
        int batch = ws.Batch, rows = steps * batch, inputs = rows * Shape.InputWidth;
        var x = stack.Input(steps);
        if (_embedding != null)
        {
            if (ids.Length != rows) throw new ArgumentException($"Expected {rows} token ids, got {ids.Length}.", nameof(ids));
            _embedding.Forward(ids, x);
        }
        else
        {
            if (features.Length != inputs) throw new ArgumentException($"Expected {inputs} values, got {features.Length}.", nameof(features));
            features.CopyTo(x);
        }
        ws.DropoutActive = dropout != null;
        if (ws.DropoutActive && _embeddingDropout != null)
            _embeddingDropout.Forward(x, x, ws.InputMask.AsSpan(0, inputs), Shape.InputWidth, batch, dropout!.Value, layer: 0);
        _stack.Forward(stack, null, steps, null, lengths);

        int width = Shape.OutputWidth;
        var pooled = ws.Pooled.AsSpan(0, batch * width);
        PoolingKernels.Forward(Shape.Pooling, stack.TopOutput(steps), lengths, pooled, ws.ArgMax, Shape.Hidden, Shape.Directions);
        if (ws.DropoutActive && _dropout != null)
            _dropout.Forward(pooled, pooled, ws.PooledMask.AsSpan(0, pooled.Length), width, batch, dropout!.Value, layer: 1);
        _output.Forward(pooled, ws.Logits.AsSpan(0, batch * Shape.Classes), batch);
        _ngrams?.Forward(ids, lengths, ws.NgramEvidence.AsSpan(0, batch * Shape.Classes), ws.Logits.AsSpan(0, batch * Shape.Classes));
    }

    /// <summary>ws.Logits holds dLoss/dLogits [B, Classes] → parameter gradients accumulated (the n-gram evidence,
    /// fitted in closed form, has none).</summary>
    public void Backward(ClassifierWorkspace ws, ReadOnlySpan<int> ids)
    {
        var stack = ws.Stack;
        int batch = ws.Batch, steps = ws.Steps, width = Shape.OutputWidth;
        var pooled = ws.Pooled.AsSpan(0, batch * width);
        var dPooled = ws.PooledGradient.AsSpan(0, batch * width);
        _output.Backward(pooled, ws.Logits.AsSpan(0, batch * Shape.Classes), dPooled, batch);
        if (ws.DropoutActive && _dropout != null) Dropout.Backward(dPooled, ws.PooledMask.AsSpan(0, dPooled.Length), dPooled);
        PoolingKernels.Backward(Shape.Pooling, dPooled, ws.Lengths, ws.ArgMax, stack.TopGradient(steps), Shape.Hidden, Shape.Directions);
        // Float input needs no input gradient; token input needs it for the embedding.
        _stack.Backward(stack, steps, inputGradient: _embedding != null);
        if (_embedding == null) return;
        var dInput = stack.InputGradient.AsSpan(0, steps * batch * Shape.InputWidth);
        if (ws.DropoutActive && _embeddingDropout != null) Dropout.Backward(dInput, ws.InputMask.AsSpan(0, dInput.Length), dInput);
        _embedding.Backward(ids, dInput);
    }
}
