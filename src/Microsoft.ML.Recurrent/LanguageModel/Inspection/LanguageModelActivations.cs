using Microsoft.ML.Recurrent.LanguageModel;
using Microsoft.ML.Recurrent.Layers;

namespace Microsoft.ML.Recurrent;

/// <summary>
/// What every layer of a <see cref="CharLanguageModel"/> computed while reading a text (see
/// <see cref="CharLanguageModel.Inspect"/>): per step, layer and unit, the hidden state, the LSTM cell state and
/// the gate activations. Step t is the state after reading character t, the one that predicts character t + 1.
/// Memory: Steps × Layers × HiddenSize floats per kind (6 kinds for LSTM, 4 for GRU, 1 for RNN).
/// </summary>
public sealed class LanguageModelActivations
{
    private readonly Dictionary<ActivationKind, float[][]> _values; // kind -> per layer [Steps, H]

    private LanguageModelActivations(IReadOnlyList<string> characters, RecurrentCell cell, int layers, int hidden,
        Dictionary<ActivationKind, float[][]> values)
    {
        Characters = characters;
        Cell = cell;
        Layers = layers;
        HiddenSize = hidden;
        _values = values;
        Kinds = [.. KindsOf(cell)];
    }

    /// <summary>The characters read, one per step (each a Unicode scalar as a string).</summary>
    public IReadOnlyList<string> Characters { get; }

    /// <summary>Number of steps (characters read).</summary>
    public int Steps => Characters.Count;

    /// <summary>The model's recurrent cell, which decides the <see cref="Kinds"/> recorded.</summary>
    public RecurrentCell Cell { get; }

    /// <summary>Number of stacked layers.</summary>
    public int Layers { get; }

    /// <summary>Units per layer.</summary>
    public int HiddenSize { get; }

    /// <summary>The kinds of activation recorded for this cell: Hidden always; Cell and the four gates for LSTM; the three gates for GRU.</summary>
    public IReadOnlyList<ActivationKind> Kinds { get; }

    /// <summary>The <paramref name="kind"/> activations of every unit of <paramref name="layer"/> after step <paramref name="step"/>.</summary>
    /// <exception cref="ArgumentException">The cell has no such activation (e.g. <see cref="ActivationKind.Cell"/> of a GRU).</exception>
    /// <exception cref="ArgumentOutOfRangeException">The layer or step is out of range.</exception>
    public ReadOnlySpan<float> Get(ActivationKind kind, int layer, int step)
    {
        var values = Layer(kind, layer);
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(step, Steps);
        return values.AsSpan(step * HiddenSize, HiddenSize);
    }

    /// <summary>One unit's <paramref name="kind"/> activation at every step: the trace to colour a text by or correlate with a feature.</summary>
    /// <exception cref="ArgumentException">The cell has no such activation.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The layer or unit is out of range.</exception>
    public float[] Trace(ActivationKind kind, int layer, int unit)
    {
        var values = Layer(kind, layer);
        ArgumentOutOfRangeException.ThrowIfNegative(unit);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(unit, HiddenSize);
        var trace = new float[Steps];
        for (int t = 0; t < trace.Length; t++) trace[t] = values[t * HiddenSize + unit];
        return trace;
    }

    private float[] Layer(ActivationKind kind, int layer)
    {
        if (!_values.TryGetValue(kind, out var layers))
            throw new ArgumentException($"A {Cell} model records no {kind} activations; it records {string.Join(", ", Kinds)}.", nameof(kind));
        ArgumentOutOfRangeException.ThrowIfNegative(layer);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(layer, Layers);
        return layers[layer];
    }

    /// <summary>The gate blocks of each cell, in the order its recurrence stores them (LSTM i f o g, GRU r z n).</summary>
    private static ActivationKind[] GateKinds(RecurrentCell cell) => cell switch
    {
        RecurrentCell.Lstm => [ActivationKind.InputGate, ActivationKind.ForgetGate, ActivationKind.OutputGate, ActivationKind.Candidate],
        RecurrentCell.Gru => [ActivationKind.ResetGate, ActivationKind.UpdateGate, ActivationKind.Candidate],
        _ => [],
    };

    private static IEnumerable<ActivationKind> KindsOf(RecurrentCell cell)
        => new[] { ActivationKind.Hidden }.Concat(cell == RecurrentCell.Lstm ? [ActivationKind.Cell] : []).Concat(GateKinds(cell));

    /// <summary>
    /// Runs <paramref name="ids"/> through the network (one stream from the zero state, in chunks of
    /// <paramref name="chunkSteps"/> steps, which bound the workspace) and keeps what every layer computed.
    /// </summary>
    internal static LanguageModelActivations Record(LanguageNetwork network, IReadOnlyList<string> characters, int[] ids, int chunkSteps = 128)
    {
        var shape = network.Shape;
        int steps = ids.Length, hidden = shape.Hidden;
        var gates = GateKinds(shape.Cell);
        var values = KindsOf(shape.Cell).ToDictionary(k => k, _ => Enumerable.Range(0, shape.Layers).Select(_ => new float[steps * hidden]).ToArray());
        var workspace = network.CreateWorkspace(Math.Min(chunkSteps, Math.Max(steps, 1)), batch: 1);
        var states = network.CreateStates(1);
        for (int start = 0; start < steps; start += chunkSteps)
        {
            int chunk = Math.Min(chunkSteps, steps - start);
            network.Forward(workspace, ids.AsSpan(start, chunk), states, chunk, dropout: null);
            for (int l = 0; l < shape.Layers; l++)
            {
                var recurrence = network.Recurrences[l];
                var cache = workspace.Stack.Caches[l];
                var xg = workspace.Stack.Xg[l];
                for (int t = 0; t < chunk; t++)
                {
                    int at = (start + t) * hidden;
                    cache.H(t + 1).CopyTo(values[ActivationKind.Hidden][l].AsSpan(at, hidden));
                    if (recurrence.HasCell) cache.C(t + 1).CopyTo(values[ActivationKind.Cell][l].AsSpan(at, hidden));
                    var gateValues = recurrence.GateActivations(cache, xg, t);
                    for (int g = 0; g < gates.Length; g++)
                        gateValues.Slice(g * hidden, hidden).CopyTo(values[gates[g]][l].AsSpan(at, hidden));
                }
            }
        }
        return new LanguageModelActivations(characters, shape.Cell, shape.Layers, hidden, values);
    }
}
