using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.Recurrent.Onnx;
using Microsoft.ML.Recurrent.Tests.Onnx;
using Xunit;
using Xunit.Abstractions;
using static Microsoft.ML.Recurrent.Tests.Layers.StackedRecurrenceTests;

namespace Microsoft.ML.Recurrent.Tests.Layers;

/// <summary>
/// ONNX Runtime running the stack's emitter (one bidirectional node per layer, sequence_lens for the padded batch)
/// agrees with our engine on a bidirectional two-layer stack over variable lengths: every top output row (padded
/// rows are zero in both) and every layer's final states.
/// </summary>
public sealed class StackOnnxParityTests(ITestOutputHelper output)
{
    private const string X = "x", SequenceLengths = "sequence_lengths", Top = "top";

    [Theory]
    [MemberData(nameof(Cells), MemberType = typeof(StackedRecurrenceTests))]
    public void Bidirectional_two_layer_stack_over_variable_lengths_matches_ours(RecurrentCell cell)
    {
        var (stack, _) = StackedRecurrenceTests.Random(cell, 0f);
        var x = Inputs(seed: 3);
        var ws = stack.CreateWorkspace(Steps, Lengths.Length);
        x.CopyTo(ws.Input(Steps));
        stack.Forward(ws, null, Steps, null, Lengths);

        var shape = stack.Shape;
        int batch = Lengths.Length, directions = shape.Directions;
        var g = new GraphBuilder("stack");
        g.Graph.Inputs.Add(new ValueInfoProto(X, ElementType.Float, [Steps, batch, Input]));
        g.Graph.Inputs.Add(new ValueInfoProto(SequenceLengths, ElementType.Int32, [batch]));
        var (outputs, h, c) = new RecurrentStack(shape).Layers(g, X, sequenceLengths: SequenceLengths);
        g.AddNamed("Identity", [outputs], Top);
        g.Graph.Outputs.Add(new ValueInfoProto(Top, ElementType.Float, [Steps, batch, shape.OutputWidth]));
        foreach (var (state, i) in h.Concat(c).Select((s, i) => (s, i)))
        {
            g.AddNamed("Identity", [state], $"state{i}");
            g.Graph.Outputs.Add(new ValueInfoProto($"state{i}", ElementType.Float, [directions, batch, Hidden]));
        }
        g.Graph.Initializers.AddRange(StackWeights.Stack(stack));
        byte[] onnx = OnnxFormat.Write(new ModelProto(g.Graph));
        OnnxTestModels.Check(output, onnx);

        using var session = OnnxTestModels.Session(onnx);
        using var results = session.Run([
            NamedOnnxValue.CreateFromTensor(X, new DenseTensor<float>(x, [Steps, batch, Input])),
            NamedOnnxValue.CreateFromTensor(SequenceLengths, new DenseTensor<int>(Lengths, [batch]))]);
        var theirs = results.ToDictionary(r => r.Name, r => r.AsEnumerable<float>().ToArray());

        AssertNear(ws.TopOutput(Steps).ToArray(), theirs[Top], "top outputs");
        for (int l = 0; l < shape.Layers; l++)
            for (int d = 0; d < directions; d++)
            {
                var (ourH, ourC) = FinalStates(stack, ws, l, d);
                AssertNear(ourH, theirs[$"state{l}"].AsSpan(d * batch * Hidden, batch * Hidden).ToArray(), $"h of layer {l}, direction {d}");
                if (cell == RecurrentCell.Lstm)
                    AssertNear(ourC, theirs[$"state{shape.Layers + l}"].AsSpan(d * batch * Hidden, batch * Hidden).ToArray(), $"c of layer {l}, direction {d}");
            }
    }

    private static void AssertNear(float[] ours, float[] theirs, string what)
    {
        Assert.Equal(ours.Length, theirs.Length);
        for (int i = 0; i < ours.Length; i++)
            Assert.True(Math.Abs(ours[i] - theirs[i]) <= 1e-4f, $"{what}[{i}]: ours {ours[i]} vs ONNX Runtime {theirs[i]}");
    }
}
