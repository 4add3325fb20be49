using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Numerics;

namespace Microsoft.ML.Recurrent.Models;

/// <summary>
/// Token ids → one-hot input projection → L stacked recurrences (dropout between them and before the
/// output) → linear output over the vocabulary. Layer l ≥ 1 projects the previous layer's outputs with a
/// dense GEMM over all T steps at once; layer 0 gathers rows (a one-hot GEMM is a row lookup).
/// </summary>
internal sealed class LanguageNetwork
{
    private readonly Embedding _input;
    private readonly Dense[] _projections;
    private readonly Recurrence[] _recurrences;
    private readonly Dense _output;
    private readonly Dropout? _dropout;

    /// <param name="shape">The architecture.</param>
    /// <param name="sharedValues">Weights of another network of the same shape to share (a replica with its own gradients), or null.</param>
    public LanguageNetwork(NetworkShape shape, float[]? sharedValues = null)
    {
        shape.Validate();
        Shape = shape;
        Parameters = new ParameterStore();
        _recurrences = new Recurrence[shape.Layers];
        _projections = new Dense[shape.Layers - 1];
        _recurrences[0] = Recurrence.Create(shape.Cell, Parameters, "layer0", shape.Hidden);
        _input = new Embedding(Parameters, "layer0.input", shape.Vocabulary, _recurrences[0].GateWidth);
        for (int l = 1; l < shape.Layers; l++)
        {
            _recurrences[l] = Recurrence.Create(shape.Cell, Parameters, $"layer{l}", shape.Hidden);
            _projections[l - 1] = new Dense(Parameters, $"layer{l}.input", shape.Hidden, _recurrences[l].GateWidth);
        }
        _output = new Dense(Parameters, "output", shape.Hidden, shape.Vocabulary);
        _dropout = shape.Dropout > 0 ? new Dropout(shape.Dropout) : null;
        Parameters.Seal(sharedValues);
    }

    /// <summary>A network that reads these weights but accumulates its own gradients and activations.</summary>
    public LanguageNetwork CreateReplica() => new(Shape, Parameters.Values);

    public NetworkShape Shape { get; }

    /// <summary>Number of weights of a network of this shape, computed without building it (to vet files before allocating).</summary>
    public static long CountParameters(NetworkShape shape)
    {
        long gates = shape.Cell switch { RecurrentCell.Rnn => 1, RecurrentCell.Lstm => 4, _ => 3 };
        long h = shape.Hidden, g = gates * h, v = shape.Vocabulary;
        long perLayer = h * g + (shape.Cell == RecurrentCell.Gru ? g : 0);
        return shape.Layers * perLayer + (v * g + g) + (shape.Layers - 1) * (h * g + g) + (h * v + v);
    }
    public ParameterStore Parameters { get; }
    internal Embedding Input => _input;
    internal IReadOnlyList<Dense> Projections => _projections;
    internal IReadOnlyList<Recurrence> Recurrences => _recurrences;
    internal Dense Output => _output;

    /// <summary>Uniform(±scale) for everything (char-rnn), or N(0, scale²) weights with zero biases (min-char-rnn).</summary>
    public void Initialize(RandomSource random, WeightInitialization initialization, float scale)
    {
        foreach (var p in Parameters.Parameters)
        {
            var v = p.Value;
            for (int i = 0; i < v.Length; i++)
                v[i] = initialization == WeightInitialization.Uniform
                    ? (2f * random.NextFloat() - 1f) * scale
                    : p.IsBias ? 0f : (float)(random.NextGaussian() * scale);
        }
    }

    public RecurrentState[] CreateStates(int batch) => [.. _recurrences.Select(r => r.CreateState(batch))];

    public NetworkWorkspace CreateWorkspace(int maxSteps, int batch) => new(this, maxSteps, batch);

    // ids [T·B] (row t·B + b) -> ws.Logits [T·B, V]; dropout only in training, when its seed is given
    public void Forward(NetworkWorkspace ws, ReadOnlySpan<int> ids, RecurrentState[] states, int steps, DropoutSeed? dropout)
    {
        int rows = steps * ws.Batch;
        if (ids.Length != rows) throw new ArgumentException($"Expected {rows} token ids, got {ids.Length}.", nameof(ids));
        ws.DropoutActive = _dropout != null && dropout != null;
        _input.Forward(ids, ws.Xg[0].AsSpan(0, rows * _recurrences[0].GateWidth));
        for (int l = 0; l < _recurrences.Length; l++)
        {
            var rec = _recurrences[l];
            var xg = ws.Xg[l].AsSpan(0, rows * rec.GateWidth);
            if (l > 0) _projections[l - 1].Forward(ws.LayerInput(l, steps), xg, rows);
            rec.Forward(ws.Caches[l], xg, states[l], steps);
            if (ws.DropoutActive)
            {
                int n = rows * Shape.Hidden;
                _dropout!.Forward(ws.Caches[l].Outputs(steps), ws.Dropped[l].AsSpan(0, n), ws.Masks[l].AsSpan(0, n), Shape.Hidden, ws.Batch, dropout!.Value, l);
            }
        }
        _output.Forward(ws.LayerInput(_recurrences.Length, steps), ws.Logits.AsSpan(0, rows * Shape.Vocabulary), rows);
    }

    // ws.Logits holds dLoss/dLogits [T·B, V] -> parameter gradients accumulated
    public void Backward(NetworkWorkspace ws, ReadOnlySpan<int> ids, int steps)
    {
        int rows = steps * ws.Batch, n = rows * Shape.Hidden;
        var dA = ws.GradA.AsSpan(0, n);
        var dH = ws.GradB.AsSpan(0, n);
        _output.Backward(ws.LayerInput(_recurrences.Length, steps), ws.Logits.AsSpan(0, rows * Shape.Vocabulary), dA, rows);
        for (int l = _recurrences.Length - 1; l >= 0; l--)
        {
            // dA: gradient reaching the input of layer l + 1 (or of the output layer)
            if (ws.DropoutActive) Dropout.Backward(dA, ws.Masks[l].AsSpan(0, n), dH);
            else dA.CopyTo(dH);
            var rec = _recurrences[l];
            var dxg = ws.Xg[l].AsSpan(0, rows * rec.GateWidth);
            rec.Backward(ws.Caches[l], dH, dxg, steps);
            if (l > 0) _projections[l - 1].Backward(ws.LayerInput(l, steps), dxg, dA, rows);
            else _input.Backward(ids, dxg);
        }
    }
}

/// <summary>
/// Activation buffers of a <see cref="LanguageNetwork"/> for up to MaxSteps × Batch, allocated once so
/// that the training loop does not allocate. Backward reuses the input pre-activation buffers Xg for their
/// gradients (no cell's backward reads xg).
/// </summary>
internal sealed class NetworkWorkspace
{
    public NetworkWorkspace(LanguageNetwork network, int maxSteps, int batch)
    {
        if (maxSteps < 1 || batch < 1) throw new ArgumentOutOfRangeException(nameof(batch), "Steps and batch must be positive.");
        var shape = network.Shape;
        MaxSteps = maxSteps;
        Batch = batch;
        int rows = maxSteps * batch;
        Xg = [.. network.Recurrences.Select(r => new float[rows * r.GateWidth])];
        Caches = [.. network.Recurrences.Select(r => r.CreateCache(maxSteps, batch))];
        bool dropout = shape.Dropout > 0;
        Dropped = [.. network.Recurrences.Select(_ => dropout ? new float[rows * shape.Hidden] : [])];
        Masks = [.. network.Recurrences.Select(_ => dropout ? new float[rows * shape.Hidden] : [])];
        Logits = new float[rows * shape.Vocabulary];
        GradA = new float[rows * shape.Hidden];
        GradB = new float[rows * shape.Hidden];
    }

    public int MaxSteps { get; }
    public int Batch { get; }
    public float[][] Xg { get; }
    public RecurrenceCache[] Caches { get; }
    public float[][] Dropped { get; }
    public float[][] Masks { get; }
    public float[] Logits { get; }
    public float[] GradA { get; }
    public float[] GradB { get; }
    public bool DropoutActive { get; set; }

    /// <summary>What layer <paramref name="layer"/> reads: the previous layer's (dropped-out) outputs, [T·B, H].</summary>
    public Span<float> LayerInput(int layer, int steps) => DropoutActive
        ? Dropped[layer - 1].AsSpan(0, steps * Batch * Caches[layer - 1].Hidden)
        : Caches[layer - 1].Outputs(steps);
}
