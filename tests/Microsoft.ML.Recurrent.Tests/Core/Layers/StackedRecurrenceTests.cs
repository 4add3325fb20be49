using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Numerics;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Layers;

/// <summary>
/// The stack on its own, with the layer-0 projection it owns: bidirectional, two layers, each cell, on a right-padded
/// batch of unequal lengths. <see cref="FiniteDifferences"/> against backpropagation for every parameter and for the input, of a
/// loss over the top outputs and every layer's final states (the caller's gradient is non-zero on padded rows too,
/// which the stack must ignore); padded inputs change nothing;
/// each sequence of the batch gets the outputs and final states it gets alone.
/// </summary>
public class StackedRecurrenceTests
{
    internal const int Input = 3, Hidden = 4, Steps = 4;
    internal static readonly int[] Lengths = [4, 2, 1];

    public static TheoryData<RecurrentCell> Cells() => [RecurrentCell.Rnn, RecurrentCell.Lstm, RecurrentCell.Gru];

    [Theory]
    [InlineData(RecurrentCell.Rnn, 0f)]
    [InlineData(RecurrentCell.Lstm, 0f)]
    [InlineData(RecurrentCell.Gru, 0f)]
    [InlineData(RecurrentCell.Lstm, 0.3f)]
    public void Bidirectional_masked_two_layer_gradients_match_finite_differences(RecurrentCell cell, float dropout)
    {
        var (stack, store) = Random(cell, dropout);
        var x = Inputs(seed: 3);
        var weights = Inputs(seed: 4, width: stack.Shape.OutputWidth); // dLoss/dTopOutput, non-zero on padded rows too
        var finals = FinalWeights(stack, seed: 6); // dLoss/d(final h, c) of every layer and direction
        DropoutSeed? seed = dropout > 0 ? new DropoutSeed(5, 0) : null;
        var ws = stack.CreateWorkspace(Steps, Lengths.Length);
        store.ZeroGradients();
        Run(stack, ws, x, seed);
        weights.CopyTo(ws.TopGradient(Steps));
        for (int l = 0; l < stack.Shape.Layers; l++)
            for (int d = 0; d < stack.Shape.Directions; d++)
                stack.AddFinalStateGradient(ws, l, d, finals[l, d].H, finals[l, d].C);
        stack.Backward(ws, Steps, inputGradient: true);
        var analytic = (float[])store.Gradients.Clone();
        var dx = ws.InputGradient.AsSpan(0, x.Length).ToArray();

        FiniteDifferences.AssertParameters(store, analytic, () => Loss(stack, x, weights, finals, seed));
        FiniteDifferences.AssertMatches(x, dx, () => Loss(stack, x, weights, finals, seed), i => $"x[{i}]");
        Assert.Contains(analytic, g => Math.Abs(g) > 1e-2); // the check is not vacuous
        Assert.Contains(dx, g => Math.Abs(g) > 1e-2);
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public void Padded_inputs_change_no_output_final_state_or_gradient(RecurrentCell cell)
    {
        var (stack, store) = Random(cell, 0f);
        var x = Inputs(seed: 3);
        var other = (float[])x.Clone();
        for (int t = 0; t < Steps; t++)
            for (int b = 0; b < Lengths.Length; b++)
                if (t >= Lengths[b])
                    for (int i = 0; i < Input; i++) other[(t * Lengths.Length + b) * Input + i] = 10f * (i + 1) - t;
        Assert.NotEqual(x, other);
        var weights = Inputs(seed: 4, width: stack.Shape.OutputWidth);
        Assert.Equal(Everything(stack, store, x, weights), Everything(stack, store, other, weights));
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public void A_sequence_gets_the_same_outputs_and_final_states_alone_as_in_a_padded_batch(RecurrentCell cell)
    {
        var (stack, _) = Random(cell, 0f);
        var x = Inputs(seed: 3);
        var ws = stack.CreateWorkspace(Steps, Lengths.Length);
        Run(stack, ws, x, null);
        int batch = Lengths.Length, width = stack.Shape.OutputWidth;
        for (int b = 0; b < batch; b++)
        {
            int length = Lengths[b];
            var alone = new float[length * Input];
            for (int t = 0; t < length; t++) x.AsSpan((t * batch + b) * Input, Input).CopyTo(alone.AsSpan(t * Input, Input));
            var single = stack.CreateWorkspace(length, 1);
            alone.CopyTo(single.Input(length));
            stack.Forward(single, null, length, null); // no lengths: the sequence fills its batch
            for (int t = 0; t < Steps; t++)
            {
                var row = ws.TopOutput(Steps).Slice((t * batch + b) * width, width).ToArray();
                if (t < length) AssertNear(single.TopOutput(length).Slice(t * width, width).ToArray(), row, $"sequence {b}, step {t}");
                else Assert.All(row, v => Assert.Equal(0f, v)); // padded outputs are zero
            }
            for (int l = 0; l < stack.Shape.Layers; l++)
                for (int d = 0; d < stack.Shape.Directions; d++)
                {
                    var (h, c) = FinalStates(stack, ws, l, d);
                    var (hAlone, cAlone) = FinalStates(stack, single, l, d);
                    AssertNear(hAlone, h.AsSpan(b * Hidden, Hidden).ToArray(), $"h of layer {l}, direction {d}");
                    if (cell == RecurrentCell.Lstm) AssertNear(cAlone, c.AsSpan(b * Hidden, Hidden).ToArray(), $"c of layer {l}, direction {d}");
                }
        }
    }

    [Fact]
    public void Forward_states_carry_over_and_the_final_state_is_the_carried_one_at_full_length()
    {
        var store = new ParameterStore();
        var stack = new StackedRecurrence(store, new StackShape(RecurrentCell.Lstm, Hidden, 2), Input);
        store.Seal();
        Fill(store, seed: 2);
        var ws = stack.CreateWorkspace(Steps, Lengths.Length);
        var states = stack.CreateStates(Lengths.Length);
        Inputs(seed: 3).CopyTo(ws.Input(Steps));
        stack.Forward(ws, states, Steps, null);
        var (h, c) = FinalStates(stack, ws, 1, 0);
        Assert.Equal(states[1].H, h);
        Assert.Equal(states[1].C, c);
        Assert.Contains(h, v => v != 0f);
    }

    [Fact]
    public void Bad_arguments_are_named()
    {
        var (stack, _) = Random(RecurrentCell.Gru, 0f);
        var ws = stack.CreateWorkspace(Steps, Lengths.Length);
        Assert.Throws<ArgumentOutOfRangeException>("lengths", () => stack.Forward(ws, null, Steps, null, [4, 0, 1]));
        Assert.Throws<ArgumentOutOfRangeException>("lengths", () => stack.Forward(ws, null, 2, null, [2, 3, 1]));
        Assert.Throws<ArgumentException>("lengths", () => stack.Forward(ws, null, Steps, null, [4, 2]));
        Assert.Throws<ArgumentOutOfRangeException>("steps", () => stack.Forward(ws, null, Steps + 1, null));
        Assert.Throws<ArgumentException>("states", () => stack.Forward(ws, stack.CreateStates(Lengths.Length)[..2], Steps, null));
        stack.Forward(ws, null, Steps, null, Lengths);
        Assert.Throws<ArgumentOutOfRangeException>("steps", () => stack.Backward(ws, Steps - 1));
        Assert.Throws<ArgumentOutOfRangeException>("direction", () => stack.RecurrenceAt(0, 2));
        Assert.Throws<ArgumentOutOfRangeException>("layer", () => stack.ProjectionAt(2, 0));
        Assert.Throws<ArgumentException>("c", () => stack.FinalStates(ws, 0, 0, new float[Lengths.Length * Hidden], new float[Lengths.Length * Hidden]));
        Assert.Throws<ArgumentException>("dh", () => stack.AddFinalStateGradient(ws, 0, 1, new float[Hidden], []));
        Assert.Throws<ArgumentOutOfRangeException>("inputWidth", () => new StackedRecurrence(new ParameterStore(), new StackShape(RecurrentCell.Gru, Hidden, 1), 0));
        Assert.Throws<ArgumentNullException>("declareFirstInput", () => new StackedRecurrence(new ParameterStore(), RecurrentCell.Gru, Hidden, 1, 0f, null!));
        Assert.Throws<ArgumentOutOfRangeException>("Layers", () => new StackedRecurrence(new ParameterStore(), new StackShape(RecurrentCell.Gru, Hidden, 0), Input));
    }

    /// <summary>A bidirectional two-layer stack over <see cref="Input"/> values per step, weights in ±0.5 (biases too).</summary>
    internal static (StackedRecurrence Stack, ParameterStore Store) Random(RecurrentCell cell, float dropout, int seed = 1)
    {
        var store = new ParameterStore();
        var stack = new StackedRecurrence(store, new StackShape(cell, Hidden, 2, Bidirectional: true), Input, dropout);
        store.Seal();
        Fill(store, seed);
        return (stack, store);
    }

    /// <summary>[Steps·B, width] values in ±1, padded rows included.</summary>
    internal static float[] Inputs(int seed, int width = Input)
    {
        var random = new RandomSource(seed);
        return [.. Enumerable.Range(0, Steps * Lengths.Length * width).Select(_ => random.NextFloat() * 2 - 1)];
    }

    internal static (float[] H, float[] C) FinalStates(StackedRecurrence stack, StackWorkspace ws, int layer, int direction)
    {
        var h = new float[ws.Batch * Hidden];
        var c = new float[stack.Shape.Cell == RecurrentCell.Lstm ? h.Length : 0];
        stack.FinalStates(ws, layer, direction, h, c);
        return (h, c);
    }

    private static void Fill(ParameterStore store, int seed)
    {
        var random = new RandomSource(seed);
        for (int i = 0; i < store.Values.Length; i++) store.Values[i] = random.NextFloat() - 0.5f;
    }

    private static void Run(StackedRecurrence stack, StackWorkspace ws, float[] x, DropoutSeed? seed)
    {
        x.CopyTo(ws.Input(Steps));
        stack.Forward(ws, null, Steps, seed, Lengths);
    }

    // Σ weights ⊙ top outputs (padded outputs are zero, so padded weights must not matter) + Σ finals ⊙ final states
    private static double Loss(StackedRecurrence stack, float[] x, float[] weights, (float[] H, float[] C)[,] finals, DropoutSeed? seed)
    {
        var ws = stack.CreateWorkspace(Steps, Lengths.Length);
        Run(stack, ws, x, seed);
        var top = ws.TopOutput(Steps);
        double loss = 0;
        for (int i = 0; i < top.Length; i++) loss += weights[i] * top[i];
        for (int l = 0; l < stack.Shape.Layers; l++)
            for (int d = 0; d < stack.Shape.Directions; d++)
            {
                var (h, c) = FinalStates(stack, ws, l, d);
                for (int i = 0; i < h.Length; i++) loss += finals[l, d].H[i] * h[i];
                for (int i = 0; i < c.Length; i++) loss += finals[l, d].C[i] * c[i];
            }
        return loss;
    }

    // random dLoss/d(final h, c) [B, H] per layer and direction (c empty without an LSTM)
    private static (float[] H, float[] C)[,] FinalWeights(StackedRecurrence stack, int seed)
    {
        var random = new RandomSource(seed);
        var finals = new (float[] H, float[] C)[stack.Shape.Layers, stack.Shape.Directions];
        int n = Lengths.Length * Hidden, cells = stack.Shape.Cell == RecurrentCell.Lstm ? n : 0;
        for (int l = 0; l < stack.Shape.Layers; l++)
            for (int d = 0; d < stack.Shape.Directions; d++)
                finals[l, d] = ([.. Enumerable.Range(0, n).Select(_ => random.NextFloat() - 0.5f)], [.. Enumerable.Range(0, cells).Select(_ => random.NextFloat() - 0.5f)]);
        return finals;
    }

    // outputs, every final state, parameter and input gradients of one forward/backward
    private static float[] Everything(StackedRecurrence stack, ParameterStore store, float[] x, float[] weights)
    {
        var ws = stack.CreateWorkspace(Steps, Lengths.Length);
        store.ZeroGradients();
        Run(stack, ws, x, null);
        var all = new List<float>(ws.TopOutput(Steps).ToArray());
        for (int l = 0; l < stack.Shape.Layers; l++)
            for (int d = 0; d < stack.Shape.Directions; d++)
            {
                var (h, c) = FinalStates(stack, ws, l, d);
                all.AddRange(h);
                all.AddRange(c);
            }
        weights.CopyTo(ws.TopGradient(Steps));
        stack.Backward(ws, Steps, inputGradient: true);
        all.AddRange(store.Gradients);
        all.AddRange(ws.InputGradient.AsSpan(0, x.Length).ToArray()); // zero on padded rows
        return [.. all];
    }

    private static void AssertNear(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5f, $"{what}[{i}]: {expected[i]} vs {actual[i]}");
    }

}
