using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Numerics;

namespace Microsoft.ML.Recurrent.LanguageModel;

/// <summary>
/// Token ids → one-hot input projection → L stacked recurrences (dropout between them and before the
/// output) → linear output over the vocabulary. Layer l ≥ 1 projects the previous layer's outputs with a
/// dense GEMM over all T steps at once; layer 0 gathers rows (a one-hot GEMM is a row lookup).
/// </summary>
internal sealed class LanguageNetwork
{
    private readonly Embedding _input;
    private readonly StackedRecurrence _stack;
    private readonly Dense _output;

    /// <param name="shape">The architecture.</param>
    /// <param name="sharedValues">Weights of another network of the same shape to share (a replica with its own gradients), or null.</param>
    public LanguageNetwork(LanguageModelShape shape, float[]? sharedValues = null)
    {
        shape.Validate();
        Shape = shape;
        Parameters = new ParameterStore();
        Embedding? input = null;
        _stack = new StackedRecurrence(Parameters, shape.Cell, shape.Hidden, shape.Layers, shape.Dropout,
            gates0 => input = new Embedding(Parameters, "layer0.input", shape.Vocabulary, gates0));
        _input = input!;
        _output = new Dense(Parameters, "output", shape.Hidden, shape.Vocabulary);
        Parameters.Seal(sharedValues);
    }

    /// <summary>A network that reads these weights but accumulates its own gradients and activations.</summary>
    public LanguageNetwork CreateReplica() => new(Shape, Parameters.Values);

    public LanguageModelShape Shape { get; }

    /// <summary>Number of weights of a network of this shape, computed without building it (to vet files before allocating).</summary>
    public static long CountParameters(LanguageModelShape shape)
    {
        long gates = shape.Cell switch { RecurrentCell.Rnn => 1, RecurrentCell.Lstm => 4, _ => 3 };
        long h = shape.Hidden, g = gates * h, v = shape.Vocabulary;
        long perLayer = h * g + (shape.Cell == RecurrentCell.Gru ? g : 0);
        return shape.Layers * perLayer + (v * g + g) + (shape.Layers - 1) * (h * g + g) + (h * v + v);
    }
    public ParameterStore Parameters { get; }
    internal Embedding Input => _input;
    internal StackedRecurrence Stack => _stack;
    internal IReadOnlyList<Recurrence> Recurrences => _stack.Recurrences;
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

    public RecurrentState[] CreateStates(int batch) => _stack.CreateStates(batch);

    public LanguageModelWorkspace CreateWorkspace(int maxSteps, int batch) => new(this, maxSteps, batch);

    // ids [T·B] (row t·B + b) -> ws.Logits [T·B, V]; dropout only in training, when its seed is given
    public void Forward(LanguageModelWorkspace ws, ReadOnlySpan<int> ids, RecurrentState[] states, int steps, DropoutSeed? dropout)
    {
        int rows = steps * ws.Batch;
        if (ids.Length != rows) throw new ArgumentException($"Expected {rows} token ids, got {ids.Length}.", nameof(ids));
        _input.Forward(ids, ws.Stack.FirstInput(steps));
        _stack.Forward(ws.Stack, states, steps, dropout);
        _output.Forward(ws.Stack.TopOutput(steps), ws.Logits.AsSpan(0, rows * Shape.Vocabulary), rows);
    }

    // ws.Logits holds dLoss/dLogits [T·B, V] -> parameter gradients accumulated
    public void Backward(LanguageModelWorkspace ws, ReadOnlySpan<int> ids, int steps)
    {
        int rows = steps * ws.Batch;
        _output.Backward(ws.Stack.TopOutput(steps), ws.Logits.AsSpan(0, rows * Shape.Vocabulary), ws.Stack.TopGradient(steps), rows);
        _stack.Backward(ws.Stack, steps);
        _input.Backward(ids, ws.Stack.FirstInput(steps));
    }
}

/// <summary>Activation buffers of a <see cref="LanguageNetwork"/>: its recurrent stack's, plus the logits.</summary>
internal sealed class LanguageModelWorkspace(LanguageNetwork network, int maxSteps, int batch)
{
    public StackWorkspace Stack { get; } = network.Stack.CreateWorkspace(maxSteps, batch);
    public int Batch => Stack.Batch;
    public float[] Logits { get; } = new float[maxSteps * batch * network.Shape.Vocabulary];
}
