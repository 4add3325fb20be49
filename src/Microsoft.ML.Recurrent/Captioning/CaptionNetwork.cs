using System.Numerics.Tensors;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Numerics;

namespace Microsoft.ML.Recurrent.Captioning;

/// <summary>
/// Image-conditioned word model: word ids → embedding → dense projection to the first layer's gates, plus
/// (every-step conditioning) the image projection Wih·v added into the same pre-activations xg at every
/// step, → L stacked recurrences whose initial states may come from the image (h0 = tanh(Winit·v + b)) →
/// dropout → linear output over the words. <see cref="Begin"/> applies the image, then <see cref="Forward"/>
/// runs any number of steps (all of a caption in training, one at a time when decoding).
/// With attention ("Show, Attend and Tell"), step t reads instead [embedding of the previous word, z_t] through the
/// stack's own layer-0 projection, z_t = β_t · Σ_r α_tr a_r with α_t = softmax of the additive scores of the regions
/// a_r against the top layer's previous output (h0 at t = 0) and β_t = σ(h·wβ + bβ) when gated, and the output
/// layer reads [h_t, z_t]; the steps run one by one, since each query is the previous step's output. With
/// <see cref="AttentionQuery.CurrentState"/>, the stack reads the embedded words alone, in one pass, and each step attends
/// from its own top output h_t, the output layer reading [h_t, z_t].
/// </summary>
internal sealed partial class CaptionNetwork
{
    private readonly Embedding _words;
    private readonly Dense? _wordInput;
    private readonly Dense? _image;
    private readonly Dense? _gate;
    private readonly Dense[] _initial;
    private readonly StackedRecurrence _stack;
    private readonly Dense _output;

    public CaptionNetwork(CaptionShape shape)
    {
        shape.Validate();
        Shape = shape;
        Parameters = new ParameterStore();
        if (shape.Attends)
        {
            _stack = new StackedRecurrence(Parameters, new StackShape(shape.Cell, shape.Hidden, shape.Layers),
                shape.Embedding + (shape.FeedsContext ? shape.Channels : 0), shape.Dropout);
            _words = new Embedding(Parameters, "words", shape.Vocabulary, shape.Embedding);
        }
        else
        {
            (Embedding Words, Dense WordInput, Dense? Image)? first = null;
            _stack = new StackedRecurrence(Parameters, shape.Cell, shape.Hidden, shape.Layers, shape.Dropout, gates0 => first = (
                new Embedding(Parameters, "words", shape.Vocabulary, shape.Embedding),
                new Dense(Parameters, "layer0.input", shape.Embedding, gates0),
                shape.Conditioning.HasFlag(ImageConditioning.EveryStep) ? new Dense(Parameters, "layer0.image", shape.Features, gates0) : null));
            (_words, _wordInput, _image) = first!.Value;
        }
        _initial = shape.Conditioning.HasFlag(ImageConditioning.InitialState)
            ? [.. Enumerable.Range(0, shape.Layers).Select(l => new Dense(Parameters, $"layer{l}.initial", shape.ImageWidth, shape.Hidden))]
            : [];
        if (shape.Attends)
        {
            Attention = new Attention(Parameters, "attention", AttentionScore.Additive, shape.Channels, shape.Hidden, shape.AttentionWidth);
            _gate = shape.Gate ? new Dense(Parameters, "attention.gate", shape.Hidden, 1) : null;
        }
        _output = new Dense(Parameters, "output", shape.Hidden + (shape.Attends ? shape.Channels : 0), shape.Vocabulary);
        Parameters.Seal();
    }

    public CaptionShape Shape { get; }
    public ParameterStore Parameters { get; }

    /// <summary>N(0, scale²/fan-in)-style initialisation: weights Gaussian scaled by 1/√rows, biases zero.</summary>
    public void Initialize(RandomSource random)
    {
        foreach (var p in Parameters.Parameters)
        {
            var v = p.Value;
            double scale = 1.0 / Math.Sqrt(p.Rows);
            for (int i = 0; i < v.Length; i++) v[i] = p.IsBias ? 0f : (float)(random.NextGaussian() * scale);
        }
    }

    public RecurrentState[] CreateStates(int batch) => _stack.CreateStates(batch);

    public CaptionWorkspace CreateWorkspace(int maxSteps, int batch) => new(this, maxSteps, batch);

    internal StackedRecurrence Stack => _stack;
    /// <summary>The attention over the regions (null without attention).</summary>
    internal Attention? Attention { get; }
    /// <summary>The word embedding (with attention, layer 0 of the stack projects it with the context).</summary>
    internal Embedding Words => _words;
    /// <summary>The context's gate β = σ(h·w + b) (null without attention or without its gate).</summary>
    internal Dense? Gate => _gate;
    internal IReadOnlyList<Recurrence> Recurrences => _stack.Recurrences;

    // features [B, F] -> ws.ImageGates [B, G·H] (every-step conditioning); states set to the image's initial states (or zero)
    public void Begin(CaptionWorkspace ws, ReadOnlySpan<float> features, RecurrentState[] states)
    {
        int b = ws.Batch;
        if (features.Length != b * Shape.Features) throw new ArgumentException($"Expected {b}×{Shape.Features} features, got {features.Length}.", nameof(features));
        _image?.Forward(features, ws.ImageGates, b);
        var image = features;
        if (Attention != null)
        {
            SplitRegions(features, ws.Regions, ws.Image, b);
            Array.Clear(ws.WeightsGradient); // until a regulariser writes it
            Attention.Keys(ws.Regions, ws.Keys, b * Shape.Regions);
            image = ws.Image;
        }
        for (int l = 0; l < states.Length; l++)
        {
            states[l].Reset();
            if (_initial.Length == 0) continue;
            _initial[l].Forward(image, ws.Initial[l], b);
            System.Numerics.Tensors.TensorPrimitives.Tanh(ws.Initial[l], ws.Initial[l]);
            ws.Initial[l].CopyTo(states[l].H, 0);
        }
    }

    // features [B, C·R] channel-major -> regions [B, R, C] region-major, image [B, C] their mean
    private void SplitRegions(ReadOnlySpan<float> features, Span<float> regions, Span<float> image, int batch)
    {
        int r = Shape.Regions, c = Shape.Channels;
        for (int b = 0; b < batch; b++)
        {
            var map = features.Slice(b * r * c, r * c);
            var mean = image.Slice(b * c, c);
            for (int channel = 0; channel < c; channel++)
            {
                var plane = map.Slice(channel * r, r);
                for (int region = 0; region < r; region++) regions[(b * r + region) * c + channel] = plane[region];
                mean[channel] = TensorPrimitives.Sum(plane) / r;
            }
        }
    }

    // ids [T·B] (row t·B + b) -> ws.Logits [T·B, V]; dropout only in training, when its seed is given
    public void Forward(CaptionWorkspace ws, ReadOnlySpan<int> ids, RecurrentState[] states, int steps, DropoutSeed? dropout)
    {
        int rows = steps * ws.Batch, gates0 = _stack.Recurrences[0].GateWidth;
        if (ids.Length != rows) throw new ArgumentException($"Expected {rows} word ids, got {ids.Length}.", nameof(ids));
        var embedded = ws.Embedded.AsSpan(0, rows * Shape.Embedding);
        _words.Forward(ids, embedded);
        if (Attention != null)
        {
            if (Shape.FeedsContext) ForwardAttending(ws, states, steps, dropout);
            else ForwardLookingAfter(ws, states, steps, dropout);
            return;
        }
        var xg0 = ws.Stack.FirstInput(steps);
        _wordInput!.Forward(embedded, xg0, rows);
        if (_image != null)
        {
            // Wih·v is the same for every step: one [B, G·H] block added to each step's rows.
            for (int t = 0; t < steps; t++)
                System.Numerics.Tensors.TensorPrimitives.Add(xg0.Slice(t * ws.Batch * gates0, ws.Batch * gates0), ws.ImageGates, xg0.Slice(t * ws.Batch * gates0, ws.Batch * gates0));
        }
        _stack.Forward(ws.Stack, states, steps, dropout);
        _output.Forward(ws.Stack.TopOutput(steps), ws.Logits.AsSpan(0, rows * Shape.Vocabulary), rows);
    }

    // ws.Logits holds dLoss/dLogits [T·B, V] -> parameter gradients accumulated, through the image paths too
    public void Backward(CaptionWorkspace ws, ReadOnlySpan<int> ids, ReadOnlySpan<float> features, int steps)
    {
        int b = ws.Batch, rows = steps * b;
        if (Attention != null)
        {
            if (Shape.FeedsContext) BackwardAttending(ws, ids, steps);
            else BackwardLookingAfter(ws, ids, steps);
            return;
        }
        _output.Backward(ws.Stack.TopOutput(steps), ws.Logits.AsSpan(0, rows * Shape.Vocabulary), ws.Stack.TopGradient(steps), rows);
        _stack.Backward(ws.Stack, steps);
        for (int l = 0; l < _initial.Length; l++) BackwardInitialState(ws, features, l);
        var dxg = ws.Stack.FirstInput(steps);
        if (_image != null)
        {
            // The image projection feeds every step, so its gradient is the sum over steps.
            var gradImage = ws.GradImage.AsSpan();
            gradImage.Clear();
            for (int t = 0; t < steps; t++)
                System.Numerics.Tensors.TensorPrimitives.Add(gradImage, dxg.Slice(t * gradImage.Length, gradImage.Length), gradImage);
            _image.Backward(features, gradImage, [], b);
        }
        var embedded = ws.Embedded.AsSpan(0, rows * Shape.Embedding);
        var dEmbedded = ws.GradEmbedded.AsSpan(0, rows * Shape.Embedding);
        _wordInput!.Backward(embedded, dxg, dEmbedded, rows);
        _words.Backward(ids, dEmbedded);
    }

    // d(h0) of layer l -> through tanh into the initial-state projection's weights (features: v, the projection's input)
    private void BackwardInitialState(CaptionWorkspace ws, ReadOnlySpan<float> features, int layer)
    {
        var h0 = ws.Initial[layer];
        var dPre = ws.GradInitial;
        var dh0 = ws.Stack.Caches[layer].InitialStateGradient.H;
        for (int i = 0; i < dPre.Length; i++) dPre[i] = dh0[i] * (1f - h0[i] * h0[i]);
        _initial[layer].Backward(features, dPre, [], ws.Batch);
    }
}
