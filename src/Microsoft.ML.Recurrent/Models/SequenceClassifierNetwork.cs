using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Numerics;

namespace Microsoft.ML.Recurrent.Models;

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
    private readonly Dense[,] _projections;
    private readonly Recurrence[,] _recurrences;
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
        _projections = new Dense[shape.Layers, shape.Directions];
        _recurrences = new Recurrence[shape.Layers, shape.Directions];
        for (int l = 0; l < shape.Layers; l++)
            for (int d = 0; d < shape.Directions; d++)
            {
                string name = $"layer{l}.{(d == 0 ? "forward" : "backward")}";
                _recurrences[l, d] = Recurrence.Create(shape.Cell, Parameters, name, shape.Hidden);
                _projections[l, d] = new Dense(Parameters, name + ".input", LayerInputWidth(l), _recurrences[l, d].GateWidth);
            }
        _output = new Dense(Parameters, "output", shape.OutputWidth, shape.Classes);
        if (shape.NgramLength > 0) _ngrams = new NgramBag(shape.Vocabulary, shape.NgramLength, shape.NgramBuckets, shape.Classes);
        _embeddingDropout = shape.EmbeddingDropout > 0 ? new Dropout(shape.EmbeddingDropout) : null;
        _dropout = shape.Dropout > 0 ? new Dropout(shape.Dropout) : null;
        Parameters.Seal();
    }

    public ClassifierShape Shape { get; }
    public ParameterStore Parameters { get; }
    internal Embedding? Embedding => _embedding;
    internal Dense ProjectionAt(int layer, int direction) => _projections[layer, direction];
    internal Recurrence RecurrenceAt(int layer, int direction) => _recurrences[layer, direction];
    internal Dense Output => _output;
    internal NgramBag? Ngrams => _ngrams;

    /// <summary>Width of what layer <paramref name="layer"/> reads: the input steps, or the previous layer's outputs.</summary>
    public int LayerInputWidth(int layer) => layer == 0 ? Shape.InputWidth : Shape.OutputWidth;

    /// <summary>Glorot-uniform weights, N(0, 0.1²) embeddings, zero biases.</summary>
    public void Initialize(RandomSource random)
    {
        foreach (var p in Parameters.Parameters)
        {
            var v = p.Value;
            float limit = MathF.Sqrt(6f / (p.Rows + p.Cols));
            bool embedding = p == _embedding?.Weight;
            for (int i = 0; i < v.Length; i++)
                v[i] = p.IsBias ? 0f : embedding ? (float)(random.NextGaussian() * 0.1) : (2f * random.NextFloat() - 1f) * limit;
        }
    }

    public ClassifierWorkspace CreateWorkspace(int maxSteps, int batch) => new(this, maxSteps, batch);

    /// <summary>
    /// ids [T·B] (token input) or features [T·B, InputWidth] (float input), lengths [B] in 1..T →
    /// ws.Logits [B, Classes]. Dropout runs only when its seed is given (training).
    /// </summary>
    public void Forward(ClassifierWorkspace ws, ReadOnlySpan<int> ids, ReadOnlySpan<float> features, ReadOnlySpan<int> lengths, int steps,
        DropoutSeed? dropout)
    {
        int batch = ws.Begin(lengths, steps), rows = steps * batch, inputs = rows * Shape.InputWidth;
        var x = ws.Input.AsSpan(0, inputs);
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

        int h = Shape.Hidden, width = Shape.OutputWidth;
        for (int l = 0; l < Shape.Layers; l++)
        {
            ReadOnlySpan<float> input = LayerInput(ws, l, rows);
            var output = ws.Outputs[l].AsSpan(0, rows * width);
            for (int d = 0; d < Shape.Directions; d++)
            {
                var rec = _recurrences[l, d];
                int g = rec.GateWidth;
                var xg = ws.Xg[l, d].AsSpan(0, rows * g);
                if (d == 0) _projections[l, d].Forward(input, xg, rows);
                else
                {
                    var natural = ws.Scratch.AsSpan(0, rows * g);
                    _projections[l, d].Forward(input, natural, rows);
                    Permute(natural, xg, ws.Reversed, g);
                }
                ws.State.Reset();
                rec.Forward(ws.Caches[l, d], xg, ws.State, steps);
                var hs = ws.Caches[l, d].Outputs(steps);
                for (int r = 0; r < rows; r++)
                    hs.Slice(r * h, h).CopyTo(output.Slice((d == 0 ? r : ws.Reversed[r]) * width + d * h, h));
            }
        }

        var pooled = ws.Pooled.AsSpan(0, batch * width);
        PoolingKernels.Forward(Shape.Pooling, ws.Outputs[^1].AsSpan(0, rows * width), lengths, pooled, ws.ArgMax, h, Shape.Directions);
        if (ws.DropoutActive && _dropout != null)
            _dropout.Forward(pooled, pooled, ws.PooledMask.AsSpan(0, pooled.Length), width, batch, dropout!.Value, layer: 1);
        _output.Forward(pooled, ws.Logits.AsSpan(0, batch * Shape.Classes), batch);
        _ngrams?.Forward(ids, lengths, ws.NgramEvidence.AsSpan(0, batch * Shape.Classes), ws.Logits.AsSpan(0, batch * Shape.Classes));
    }

    /// <summary>ws.Logits holds dLoss/dLogits [B, Classes] → parameter gradients accumulated (the n-gram evidence,
    /// fitted in closed form, has none).</summary>
    public void Backward(ClassifierWorkspace ws, ReadOnlySpan<int> ids)
    {
        int batch = ws.Batch, steps = ws.Steps, rows = steps * batch, h = Shape.Hidden, width = Shape.OutputWidth;
        var pooled = ws.Pooled.AsSpan(0, batch * width);
        var dPooled = ws.PooledGradient.AsSpan(0, batch * width);
        _output.Backward(pooled, ws.Logits.AsSpan(0, batch * Shape.Classes), dPooled, batch);
        if (ws.DropoutActive && _dropout != null) Dropout.Backward(dPooled, ws.PooledMask.AsSpan(0, dPooled.Length), dPooled);
        var dOutput = ws.OutputGradient.AsSpan(0, rows * width);
        PoolingKernels.Backward(Shape.Pooling, dPooled, ws.Lengths, ws.ArgMax, dOutput, h, Shape.Directions);

        for (int l = Shape.Layers - 1; l >= 0; l--)
        {
            ReadOnlySpan<float> input = LayerInput(ws, l, rows);
            int inWidth = LayerInputWidth(l);
            // Float input needs no input gradient; token input needs it for the embedding.
            bool needInput = l > 0 || _embedding != null;
            var dInput = needInput ? ws.InputGradient.AsSpan(0, rows * inWidth) : Span<float>.Empty;
            var dPart = needInput ? ws.InputGradientPart.AsSpan(0, rows * inWidth) : Span<float>.Empty;
            for (int d = 0; d < Shape.Directions; d++)
            {
                var rec = _recurrences[l, d];
                int g = rec.GateWidth;
                var dh = ws.HiddenGradient.AsSpan(0, rows * h);
                for (int r = 0; r < rows; r++)
                    dOutput.Slice((d == 0 ? r : ws.Reversed[r]) * width + d * h, h).CopyTo(dh.Slice(r * h, h));
                var dxg = ws.Xg[l, d].AsSpan(0, rows * g);
                rec.Backward(ws.Caches[l, d], dh, dxg, steps);
                ReadOnlySpan<float> dy = dxg;
                if (d == 1)
                {
                    Permute(dxg, ws.Scratch.AsSpan(0, rows * g), ws.Reversed, g);
                    dy = ws.Scratch.AsSpan(0, rows * g);
                }
                _projections[l, d].Backward(input, dy, d == 0 ? dInput : dPart, rows);
                if (d == 1 && needInput) System.Numerics.Tensors.TensorPrimitives.Add(dInput, dPart, dInput);
            }
            if (l > 0) dInput.CopyTo(ws.OutputGradient.AsSpan(0, rows * width)); // the gradient of layer l − 1's outputs
            else if (_embedding != null)
            {
                if (ws.DropoutActive && _embeddingDropout != null)
                    Dropout.Backward(dInput, ws.InputMask.AsSpan(0, dInput.Length), dInput);
                _embedding.Backward(ids, dInput);
            }
            dOutput = ws.OutputGradient.AsSpan(0, rows * width);
        }
    }

    private static ReadOnlySpan<float> LayerInput(ClassifierWorkspace ws, int layer, int rows)
        => layer == 0 ? ws.Input.AsSpan(0, rows * ws.InputWidth) : ws.Outputs[layer - 1].AsSpan(0, rows * ws.OutputWidth);

    // dst[r] = src[map[r]] for rows of the given width (map is an involution, so the same call undoes it)
    private static void Permute(ReadOnlySpan<float> src, Span<float> dst, ReadOnlySpan<int> map, int width)
    {
        for (int r = 0; r < map.Length; r++) src.Slice(map[r] * width, width).CopyTo(dst.Slice(r * width, width));
    }
}
