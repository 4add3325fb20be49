using Microsoft.ML.Recurrent.Decoding;

namespace Microsoft.ML.Recurrent.Onnx;

/// <summary>
/// One decoding step of a graph's model: token [1] (int64) and every layer's state h_l (and LSTM c_l) [1, 1, H] → the
/// next token's logits [1, V] and the new states. Emitted once before the Loop (to prime it) or inside its body.
/// </summary>
internal delegate (string Logits, string[] H, string[] C) DecodeStep(GraphBuilder graph, string token, string[] h, string[] c);

/// <summary>
/// One decoding step over states of any shapes (a translator's carries its attentional vector besides the layers'):
/// token [1] (int64) and the states → the next token's logits [1, V] and the new states, in the same order and shapes.
/// </summary>
internal delegate (string Logits, string[] States) StateStep(GraphBuilder graph, string token, string[] states);

/// <summary>A state a <see cref="StateStep"/> carries through the Loop: its value before the first iteration, and its shape.</summary>
internal readonly record struct LoopState(string Initial, long[] Dims);

/// <summary>
/// The ONNX Loop that every decoding graph shares (the language model's generator, the captioner's and the translator's greedy graphs): it carries
/// the logits and the states, and each of its MaxLength iterations picks a token from the logits — the first maximum
/// (temperature 0, like IndexOfMax) or by sampling — feeds it to the graph's <see cref="DecodeStep"/>, and emits it as
/// the scan output. Sampling must reproduce the C# decoder (<see cref="Decoding.Decoder{TState}"/>), whose random stream is fixed by the seed and
/// consumed one uniform per token; ONNX's Multinomial has its own generator, so instead the graph is given those MaxLength
/// uniforms (<see cref="SamplingUniforms"/>), as a constant from the seed or as a graph input
/// (<see cref="GenerationSettings.UniformsInput"/>), and picks the first index whose cumulative probability (summed in
/// double, like the sampler) exceeds the iteration's uniform.
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
        StateStep layers = (b, token, states) =>
        {
            var (next, hOut, cOut) = step(b, token, states[..h.Length], states[h.Length..]);
            return (next, [.. hOut, .. cOut]);
        };
        LoopState[] carried = [.. h.Concat(c).Select(s => new LoopState(s, [1, 1, hidden]))];
        return Emit(g, bodyName, layers, logits, carried, vocabulary, settings, ids);
    }

    /// <summary>
    /// The decoded ids (int64), named <paramref name="ids"/> when given, from the primed model's <paramref name="logits"/>
    /// [1, V] and <paramref name="states"/>. Without <paramref name="tripCount"/> and <paramref name="stopTokens"/> they
    /// are [MaxLength]. <paramref name="tripCount"/> (an int64 scalar computed by the graph, e.g. from the input's
    /// length) runs min(tripCount, MaxLength) iterations instead; with <paramref name="stopTokens"/> the Loop ends after
    /// the iteration that picks one of them, which is then the last id. Either way the ids are then [n], n known at run time.
    /// </summary>
    public static string Emit(GraphBuilder g, string bodyName, StateStep step, string logits, LoopState[] states, int vocabulary,
        GenerationSettings settings, string? ids = null, string? tripCount = null, long[]? stopTokens = null)
    {
        var body = Body(g, bodyName, step, states, vocabulary, settings, stopTokens);
        string[] carried = [logits, .. states.Select(s => s.Initial)];
        string[] loopOutputs = [.. carried.Select(_ => g.Fresh("final")), g.Fresh("picked")];
        string trips = tripCount is null ? g.Int64(settings.MaxLength) : g.Add("Min", [tripCount, g.Int64(settings.MaxLength)]);
        string cond = stopTokens is null ? "" : g.Cast(g.Int64(1), ElementType.Bool); // true: the body's condition decides after each iteration
        g.AddMany("Loop", [trips, cond, .. carried], loopOutputs, AttributeProto.Of("body", body));
        bool fixedLength = tripCount is null && stopTokens is null;
        string[] reshape = [loopOutputs[^1], g.Int64s(fixedLength ? settings.MaxLength : -1)]; // [n, 1] -> [n]
        return ids is null ? g.Add("Reshape", reshape) : g.AddNamed("Reshape", reshape, ids);
    }

    // (iteration, cond, logits [1, V], states...) -> (cond, logits', states', picked id [1])
    private static GraphProto Body(GraphBuilder outer, string name, StateStep step, LoopState[] states, int vocabulary,
        GenerationSettings settings, long[]? stopTokens)
    {
        var b = outer.Subgraph(name);
        string iteration = b.Fresh("iteration"), condIn = b.Fresh("cond_in"), logitsIn = b.Fresh("logits_in");
        string[] statesIn = [.. states.Select(_ => b.Fresh("state_in"))];
        b.Graph.Inputs.Add(new ValueInfoProto(iteration, ElementType.Int64, []));
        b.Graph.Inputs.Add(new ValueInfoProto(condIn, ElementType.Bool, []));
        b.Graph.Inputs.Add(new ValueInfoProto(logitsIn, ElementType.Float, [1, vocabulary]));
        for (int i = 0; i < states.Length; i++) b.Graph.Inputs.Add(new ValueInfoProto(statesIn[i], ElementType.Float, [.. states[i].Dims.Select(d => (Dim)d)]));

        string picked = settings.Temperature == 0
            ? b.Add("ArgMax", [logitsIn], AttributeProto.Of("axis", 1L), AttributeProto.Of("keepdims", 0L)) // first maximum, like IndexOfMax
            : Sample(outer, b, iteration, logitsIn, settings, vocabulary);
        var (logits, statesOut) = step(b, picked, statesIn);
        // Go on while the picked id is none of the stop tokens: count its matches, continue at zero.
        string condOut = stopTokens is null
            ? b.Add("Identity", [condIn])
            : b.Add("Equal", [b.Add("ReduceSum", [b.Cast(b.Add("Equal", [picked, b.Int64s(stopTokens)]), ElementType.Int64)], AttributeProto.Of("keepdims", 0L)), b.Int64(0)]);

        b.Graph.Outputs.Add(new ValueInfoProto(condOut, ElementType.Bool, []));
        b.Graph.Outputs.Add(new ValueInfoProto(logits, ElementType.Float, [1, vocabulary]));
        for (int i = 0; i < states.Length; i++) b.Graph.Outputs.Add(new ValueInfoProto(statesOut[i], ElementType.Float, [.. states[i].Dims.Select(d => (Dim)d)]));
        b.Graph.Outputs.Add(new ValueInfoProto(picked, ElementType.Int64, [1]));
        return b.Graph;
    }

    // The sampler's rule: the first i with u < Σ_{j ≤ i} softmax(logits / T)_j, else the last index.
    private static string Sample(GraphBuilder outer, GraphBuilder b, string iteration, string logits, GenerationSettings settings, int vocabulary)
    {
        // The uniforms come from the graph's input when it has one (each run its own stream; any shape, read flat), else
        // from the seed, stored.
        string table = settings.UniformsInput is { } input
            ? outer.Add("Reshape", [input, outer.Int64s(-1)])
            : outer.Initializer(TensorProto.Doubles("sampling_uniforms", [settings.MaxLength], SamplingUniforms.Draw(settings.Seed, settings.MaxLength)));
        string u = b.Add("Gather", [table, iteration], AttributeProto.Of("axis", 0L));
        string probabilities = b.Add("Softmax", [b.Add("Div", [logits, b.Float(settings.Temperature)])], AttributeProto.Of("axis", -1L));
        string cumulative = b.Add("CumSum", [b.Cast(probabilities, ElementType.Double), b.Int64(1)]);
        string below = b.Cast(b.Add("LessOrEqual", [cumulative, u]), ElementType.Int64);
        string count = b.Add("ReduceSum", [below, b.Int64s(1)], AttributeProto.Of("keepdims", 0L));
        return b.Add("Min", [count, b.Int64s(vocabulary - 1)]);
    }
}
