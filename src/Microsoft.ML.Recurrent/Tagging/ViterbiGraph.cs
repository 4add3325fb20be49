using Microsoft.ML.Recurrent.Onnx;

namespace Microsoft.ML.Recurrent.Tagging;

/// <summary>
/// <see cref="LinearChainCrf.Viterbi"/> of one sequence as ONNX: emissions [T, L] (float, T ≥ 1, dynamic) → the best
/// labels [T] (int64), reading the initializers <see cref="Transitions"/> [L, L], <see cref="Start"/> [L] and
/// <see cref="End"/> [L] (<see cref="Initializers"/>). A first Loop runs the max-product recursion over steps 1…T−1,
/// carrying δ [L] and emitting each step's backpointers [L] (ArgMax over the previous label, which picks the first
/// maximum, as the C# decoder does); a second Loop follows them back from the best last label, and the path is
/// reversed into step order. With T = 1 both loops run no iteration and the path is the best last label alone.
/// </summary>
internal static class ViterbiGraph
{
    public const string Transitions = "crf.transitions", Start = "crf.start", End = "crf.end";

    /// <summary>The CRF's parameters as the initializers the graph reads (start and end as [L]).</summary>
    public static IEnumerable<TensorProto> Initializers(LinearChainCrf crf)
    {
        long l = crf.Labels;
        yield return TensorProto.Floats(Transitions, [l, l], crf.Transitions.Value);
        yield return TensorProto.Floats(Start, [l], crf.Start.Value);
        yield return TensorProto.Floats(End, [l], crf.End.Value);
    }

    /// <summary>
    /// Appends the decode of <paramref name="emissions"/> [T, <paramref name="labels"/>] and returns the name of the best
    /// labels [T] (int64), <paramref name="output"/> when given.
    /// </summary>
    public static string Emit(GraphBuilder g, string emissions, int labels, string? output = null)
    {
        string steps = g.Add("Gather", [g.Add("Shape", [emissions]), g.Int64(0)], AttributeProto.Of("axis", 0L)); // T, a scalar
        string moves = g.Add("Sub", [steps, g.Int64(1)]); // T − 1 transitions
        string first = g.Add("Gather", [emissions, g.Int64(0)], AttributeProto.Of("axis", 0L));
        string delta0 = g.Add("Add", [Start, first]); // [L]

        var loop = new[] { g.Fresh("delta_last"), g.Fresh("backpointers") }; // [L], [T − 1, L]
        g.AddMany("Loop", [moves, "", delta0], loop, AttributeProto.Of("body", ForwardBody(g.Subgraph("viterbi_forward"), emissions, labels)));

        string last = g.Add("ArgMax", [g.Add("Add", [loop[0], End])], AttributeProto.Of("axis", 0L), AttributeProto.Of("keepdims", 1L)); // [1]
        string reversed = Reverse(g, loop[1]); // backpointers of steps T−1 … 1
        var back = new[] { g.Fresh("label_first"), g.Fresh("earlier") }; // [1], [T − 1, 1]: labels at T−2 … 0
        g.AddMany("Loop", [moves, "", last], back, AttributeProto.Of("body", BacktrackBody(g.Subgraph("viterbi_backtrack"), reversed)));

        string[] path = [Reverse(g, g.Add("Reshape", [back[1], g.Int64s(-1)])), last]; // labels at 0 … T−2, then T−1
        return output is null
            ? g.Add("Concat", path, AttributeProto.Of("axis", 0L))
            : g.AddNamed("Concat", path, output, AttributeProto.Of("axis", 0L));
    }

    // x reversed along axis 0 (a Slice with step −1 from the last element through the first; empty stays empty)
    private static string Reverse(GraphBuilder g, string x) => g.Add("Slice", [x, g.Int64s(-1), g.Int64s(long.MinValue), g.Int64s(0), g.Int64s(-1)]);

    // (iteration i, cond, δ [L]) -> (cond, δ' [L], backpointers of step i + 1 [L]); δ'(to) = max_from (δ(from) + transitions[from, to]) + e_{i+1}(to)
    private static GraphProto ForwardBody(GraphBuilder b, string emissions, int labels)
    {
        string iteration = b.Fresh("iteration"), condIn = b.Fresh("cond_in"), deltaIn = b.Fresh("delta_in");
        b.Graph.Inputs.Add(new ValueInfoProto(iteration, ElementType.Int64, []));
        b.Graph.Inputs.Add(new ValueInfoProto(condIn, ElementType.Bool, []));
        b.Graph.Inputs.Add(new ValueInfoProto(deltaIn, ElementType.Float, [labels]));

        string scores = b.Add("Add", [b.Unsqueeze(deltaIn, 1), Transitions]); // [from, to]
        string from = b.Add("ArgMax", [scores], AttributeProto.Of("axis", 0L), AttributeProto.Of("keepdims", 1L)); // [1, L], first maximum
        string best = b.Add("Reshape", [b.Add("GatherElements", [scores, from], AttributeProto.Of("axis", 0L)), b.Int64s(labels)]);
        string e = b.Add("Gather", [emissions, b.Add("Add", [iteration, b.Int64(1)])], AttributeProto.Of("axis", 0L));
        string delta = b.Add("Add", [best, e]);
        string pointers = b.Add("Reshape", [from, b.Int64s(labels)]);
        string condOut = b.Add("Identity", [condIn]);

        b.Graph.Outputs.Add(new ValueInfoProto(condOut, ElementType.Bool, []));
        b.Graph.Outputs.Add(new ValueInfoProto(delta, ElementType.Float, [labels]));
        b.Graph.Outputs.Add(new ValueInfoProto(pointers, ElementType.Int64, [labels]));
        return b.Graph;
    }

    // (iteration i, cond, label at step T−1−i [1]) -> (cond, label at step T−2−i [1], the same as the scan output)
    private static GraphProto BacktrackBody(GraphBuilder b, string reversedBackpointers)
    {
        string iteration = b.Fresh("iteration"), condIn = b.Fresh("cond_in"), labelIn = b.Fresh("label_in");
        b.Graph.Inputs.Add(new ValueInfoProto(iteration, ElementType.Int64, []));
        b.Graph.Inputs.Add(new ValueInfoProto(condIn, ElementType.Bool, []));
        b.Graph.Inputs.Add(new ValueInfoProto(labelIn, ElementType.Int64, [1]));

        string pointers = b.Add("Gather", [reversedBackpointers, iteration], AttributeProto.Of("axis", 0L)); // [L], step T−1−i
        string previous = b.Add("Gather", [pointers, labelIn], AttributeProto.Of("axis", 0L)); // [1]
        string scanned = b.Add("Identity", [previous]);
        string condOut = b.Add("Identity", [condIn]);

        b.Graph.Outputs.Add(new ValueInfoProto(condOut, ElementType.Bool, []));
        b.Graph.Outputs.Add(new ValueInfoProto(previous, ElementType.Int64, [1]));
        b.Graph.Outputs.Add(new ValueInfoProto(scanned, ElementType.Int64, [1]));
        return b.Graph;
    }
}
