using Microsoft.ML.Recurrent.Decoding;
using Microsoft.ML.Recurrent.Numerics;

namespace Microsoft.ML.Recurrent.Onnx;

/// <summary>
/// One decoding step of a graph's model: token [1] (int64) and every layer's state h_l (and LSTM c_l) [1, 1, H] → the
/// next token's logits [1, V] and the new states. Emitted once before the Loop (to prime it) or inside its body.
/// </summary>
internal delegate (string Logits, string[] H, string[] C) DecodeStep(GraphBuilder graph, string token, string[] h, string[] c);

/// <summary>
/// The ONNX Loop that every decoding graph shares (the language model's generator, the captioner's greedy graph): it carries
/// the logits and the states, and each of its MaxLength iterations picks a token from the logits — the first maximum
/// (temperature 0, like IndexOfMax) or by sampling — feeds it to the graph's <see cref="DecodeStep"/>, and emits it as
/// the scan output. Sampling must reproduce the C# decoder (<see cref="Decoding.Decoder{TState}"/>), whose random stream is fixed by the seed and
/// consumed one uniform per token; ONNX's Multinomial has its own generator, so instead the graph carries those MaxLength
/// uniforms (<see cref="RandomSource.NextDouble"/> from the seed) as a constant and picks the first index whose
/// cumulative probability (summed in double, like the sampler) exceeds the iteration's uniform.
/// </summary>
internal static class DecodeLoop
{
    /// <summary>
    /// The decoded ids [MaxLength] (int64), named <paramref name="ids"/> when given. <paramref name="logits"/> [1, V] and
    /// the states <paramref name="h"/>, <paramref name="c"/> [1, 1, H] are the primed model's: the first token is picked from them.
    /// </summary>
    public static string Emit(GraphBuilder g, string bodyName, DecodeStep step, string logits, string[] h, string[] c,
        int vocabulary, int hidden, GenerationSettings settings, string? ids = null)
    {
        var body = Body(g, bodyName, step, h.Length, c.Length, vocabulary, hidden, settings);
        string[] carried = [logits, .. h, .. c];
        string[] loopOutputs = [.. carried.Select(_ => g.Fresh("final")), g.Fresh("picked")];
        g.AddMany("Loop", [g.Int64(settings.MaxLength), "", .. carried], loopOutputs, AttributeProto.Of("body", body));
        string[] reshape = [loopOutputs[^1], g.Int64s(settings.MaxLength)]; // [MaxLength, 1] -> [MaxLength]
        return ids is null ? g.Add("Reshape", reshape) : g.AddNamed("Reshape", reshape, ids);
    }

    // (iteration, cond, logits [1, V], h_l [1, 1, H]..., c_l...) -> (cond, logits', h', c', picked id [1])
    private static GraphProto Body(GraphBuilder outer, string name, DecodeStep step, int layers, int cells, int vocabulary, int hidden,
        GenerationSettings settings)
    {
        var b = outer.Subgraph(name);
        string iteration = b.Fresh("iteration"), condIn = b.Fresh("cond_in"), logitsIn = b.Fresh("logits_in");
        string[] hIn = [.. Enumerable.Range(0, layers).Select(_ => b.Fresh("h_in"))];
        string[] cIn = [.. Enumerable.Range(0, cells).Select(_ => b.Fresh("c_in"))];
        b.Graph.Inputs.Add(new ValueInfoProto(iteration, ElementType.Int64, []));
        b.Graph.Inputs.Add(new ValueInfoProto(condIn, ElementType.Bool, []));
        b.Graph.Inputs.Add(new ValueInfoProto(logitsIn, ElementType.Float, [1, vocabulary]));
        foreach (string s in hIn.Concat(cIn)) b.Graph.Inputs.Add(new ValueInfoProto(s, ElementType.Float, [1, 1, hidden]));

        string picked = settings.Temperature == 0
            ? b.Add("ArgMax", [logitsIn], AttributeProto.Of("axis", 1L), AttributeProto.Of("keepdims", 0L)) // first maximum, like IndexOfMax
            : Sample(outer, b, iteration, logitsIn, settings, vocabulary);
        var (logits, h, c) = step(b, picked, hIn, cIn);
        string condOut = b.Add("Identity", [condIn]);

        b.Graph.Outputs.Add(new ValueInfoProto(condOut, ElementType.Bool, []));
        b.Graph.Outputs.Add(new ValueInfoProto(logits, ElementType.Float, [1, vocabulary]));
        foreach (string s in h.Concat(c)) b.Graph.Outputs.Add(new ValueInfoProto(s, ElementType.Float, [1, 1, hidden]));
        b.Graph.Outputs.Add(new ValueInfoProto(picked, ElementType.Int64, [1]));
        return b.Graph;
    }

    // The sampler's rule: the first i with u < Σ_{j ≤ i} softmax(logits / T)_j, else the last index.
    private static string Sample(GraphBuilder outer, GraphBuilder b, string iteration, string logits, GenerationSettings settings, int vocabulary)
    {
        var random = new RandomSource(settings.Seed);
        double[] uniforms = [.. Enumerable.Range(0, settings.MaxLength).Select(_ => random.NextDouble())];
        string table = outer.Initializer(TensorProto.Doubles("sampling_uniforms", [uniforms.Length], uniforms));
        string u = b.Add("Gather", [table, iteration], AttributeProto.Of("axis", 0L));
        string probabilities = b.Add("Softmax", [b.Add("Div", [logits, b.Float(settings.Temperature)])], AttributeProto.Of("axis", -1L));
        string cumulative = b.Add("CumSum", [b.Cast(probabilities, ElementType.Double), b.Int64(1)]);
        string below = b.Cast(b.Add("LessOrEqual", [cumulative, u]), ElementType.Int64);
        string count = b.Add("ReduceSum", [below, b.Int64s(1)], AttributeProto.Of("keepdims", 0L));
        return b.Add("Min", [count, b.Int64s(vocabulary - 1)]);
    }
}
