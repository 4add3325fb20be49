namespace Microsoft.ML.Recurrent.Onnx;

/// <summary>
/// One decoding step over a beam of K rows: tokens [K] (int64) and the states, each with K rows on its
/// <see cref="BeamState.RowAxis"/> → the next tokens' logits [K, V] and the new states, in the same order and shapes.
/// </summary>
internal delegate (string Logits, string[] States) BeamStep(GraphBuilder graph, string tokens, string[] states);

/// <summary>
/// A state a <see cref="BeamStep"/> carries: its primed value for one row (size 1 on <paramref name="RowAxis"/>,
/// repeated to the beam's K rows), its one-row shape, and the axis that holds the rows.
/// </summary>
internal readonly record struct BeamState(string Initial, long[] Dims, int RowAxis);

/// <summary>
/// Beam search as an ONNX Loop, hypothesis for hypothesis the one of <see cref="Decoding.Decoder{TState}.Beam"/>, with
/// the beam as K fixed rows. Each iteration feeds every row's last token to the <see cref="BeamStep"/>, scores each
/// row's extensions by its running log-probability plus log-softmax(logits) (in double, as the C# decoder sums them),
/// keeps the best K of the K·V (ONNX TopK puts the lower flat index first on ties, which is the C# order: earlier
/// parent, then smaller token), and gathers the kept rows' parents' states and tokens. A row whose new token is the end
/// token, or that reaches MaxLength tokens, finishes: it leaves the beam (dead rows' extensions score −∞, so they are
/// never kept) and competes for the best finished hypothesis, by score / (tokens + 1) when length-normalised, as in C#:
/// a later one replaces the best only when strictly better, as C#'s stable sort keeps the first of equals. The Loop
/// ends when no row is alive, after at most MaxLength iterations.
/// </summary>
internal static class BeamLoop
{
    /// <summary>
    /// The best finished hypothesis's tokens [MaxLength] (int64): its tokens, then <paramref name="end"/> up to the
    /// length (where it ended, or as padding). The first iteration feeds <paramref name="start"/> to the primed
    /// <paramref name="states"/>.
    /// </summary>
    public static string Emit(GraphBuilder g, string bodyName, BeamStep step, BeamState[] states, int vocabulary, int beamSize,
        int maxLength, long start, long end, bool lengthNormalized = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(beamSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxLength);
        var body = Body(g, bodyName, step, states, vocabulary, beamSize, maxLength, end, lengthNormalized);
        string[] rows = [.. states.Select(s => g.Add("Expand", [s.Initial, g.Int64s(Rows(s, beamSize))]))];
        bool[] firstAlive = [.. Enumerable.Range(0, beamSize).Select(k => k == 0)]; // the other rows would repeat row 0's extensions
        string[] carried =
        [
            g.Int64s([.. Enumerable.Repeat(start, beamSize)]), .. rows,
            g.Initializer(TensorProto.Doubles(g.Fresh("beam_scores"), [beamSize], new double[beamSize])),
            g.Cast(g.Int64s([.. firstAlive.Select(a => a ? 1L : 0L)]), ElementType.Bool),
            g.Initializer(TensorProto.Int64s(g.Fresh("beam_history"), [beamSize, maxLength], [.. Enumerable.Repeat(end, beamSize * maxLength)])),
            g.Double(double.NegativeInfinity),
            g.Int64s([.. Enumerable.Repeat(end, maxLength)]),
        ];
        string[] finals = [.. carried.Select(_ => g.Fresh("beam_final"))];
        g.AddMany("Loop", [g.Int64(maxLength), g.Cast(g.Int64(1), ElementType.Bool), .. carried], finals, AttributeProto.Of("body", body));
        return finals[^1];
    }

    private static long[] Rows(BeamState state, int beamSize) => [.. state.Dims.Select((d, i) => i == state.RowAxis ? beamSize : d)];

    // (iteration, cond, tokens [K], states..., scores [K] double, alive [K] bool, history [K, L], best score [] double, best [L])
    //   -> (cond, the same carried values)
    private static GraphProto Body(GraphBuilder outer, string name, BeamStep step, BeamState[] states, int vocabulary, int beamSize,
        int maxLength, long end, bool lengthNormalized)
    {
        var b = outer.Subgraph(name);
        string iteration = b.Fresh("iteration"), condIn = b.Fresh("cond_in"), tokensIn = b.Fresh("tokens_in"), scoresIn = b.Fresh("scores_in"),
            aliveIn = b.Fresh("alive_in"), historyIn = b.Fresh("history_in"), bestScoreIn = b.Fresh("best_score_in"), bestIn = b.Fresh("best_in");
        string[] statesIn = [.. states.Select(_ => b.Fresh("state_in"))];
        var stateInfos = states.Select(s => Rows(s, beamSize).Select(d => (Dim)d).ToArray()).ToArray();
        b.Graph.Inputs.Add(new ValueInfoProto(iteration, ElementType.Int64, []));
        b.Graph.Inputs.Add(new ValueInfoProto(condIn, ElementType.Bool, []));
        b.Graph.Inputs.Add(new ValueInfoProto(tokensIn, ElementType.Int64, [beamSize]));
        for (int i = 0; i < states.Length; i++) b.Graph.Inputs.Add(new ValueInfoProto(statesIn[i], ElementType.Float, stateInfos[i]));
        b.Graph.Inputs.Add(new ValueInfoProto(scoresIn, ElementType.Double, [beamSize]));
        b.Graph.Inputs.Add(new ValueInfoProto(aliveIn, ElementType.Bool, [beamSize]));
        b.Graph.Inputs.Add(new ValueInfoProto(historyIn, ElementType.Int64, [beamSize, maxLength]));
        b.Graph.Inputs.Add(new ValueInfoProto(bestScoreIn, ElementType.Double, []));
        b.Graph.Inputs.Add(new ValueInfoProto(bestIn, ElementType.Int64, [maxLength]));

        var (logits, statesOut) = step(b, tokensIn, statesIn); // [K, V]
        string negativeInfinity = b.Double(double.NegativeInfinity);
        string extended = b.Add("Add", [b.Unsqueeze(scoresIn, 1), b.Cast(LogSoftmax(b, logits), ElementType.Double)]); // [K, V]
        extended = b.Add("Where", [b.Unsqueeze(aliveIn, 1), extended, negativeInfinity]);
        string[] topK = b.AddMany("TopK", [b.Add("Reshape", [extended, b.Int64s(-1)]), b.Int64s(beamSize)], [b.Fresh("top"), b.Fresh("top_index")],
            AttributeProto.Of("axis", 0L), AttributeProto.Of("largest", 1L), AttributeProto.Of("sorted", 1L)); // [K] best first
        string scores = topK[0], parent = b.Add("Div", [topK[1], b.Int64(vocabulary)]), token = b.Add("Mod", [topK[1], b.Int64(vocabulary)]);
        string[] kept = [.. statesOut.Select((s, i) => b.Add("Gather", [s, parent], AttributeProto.Of("axis", (long)states[i].RowAxis)))];

        // The kept rows' tokens: their parents', with this iteration's token in column `iteration` ([K, L]).
        string column = b.Unsqueeze(b.Add("Equal", [b.Int64s([.. Enumerable.Range(0, maxLength).Select(i => (long)i)]), iteration]), 0); // [1, L]
        string history = b.Add("Where", [column, b.Unsqueeze(token, 1), b.Add("Gather", [historyIn, parent], AttributeProto.Of("axis", 0L))]);

        string real = b.Add("Greater", [scores, negativeInfinity]); // a dead row's extension, kept only when fewer than K were alive
        string ended = b.Add("Equal", [token, b.Int64(end)]);
        string next = b.Add("Add", [iteration, b.Int64(1)]); // tokens a hypothesis that did not end now has
        string stops = b.Add("Or", [ended, b.Add("GreaterOrEqual", [next, b.Int64(maxLength)])]);
        string alive = b.Add("And", [real, b.Add("Not", [stops])]);
        string finished = b.Add("And", [real, stops]);
        string length = b.Add("Where", [ended, iteration, next]); // tokens without the end token
        string rank = lengthNormalized ? b.Add("Div", [scores, b.Cast(b.Add("Add", [length, b.Int64(1)]), ElementType.Double)]) : scores;
        rank = b.Add("Where", [finished, rank, negativeInfinity]);
        string first = b.Add("ArgMax", [rank], AttributeProto.Of("axis", 0L), AttributeProto.Of("keepdims", 0L)); // the first best of this iteration
        string candidate = b.Add("Gather", [rank, first], AttributeProto.Of("axis", 0L));
        string better = b.Add("Greater", [candidate, bestScoreIn]);
        string bestScore = b.Add("Where", [better, candidate, bestScoreIn]);
        string best = b.Add("Where", [better, b.Add("Gather", [history, first], AttributeProto.Of("axis", 0L)), bestIn]);
        string condOut = b.Add("Greater", [b.Add("ReduceSum", [b.Cast(alive, ElementType.Int64)], AttributeProto.Of("keepdims", 0L)), b.Int64(0)]);

        b.Graph.Outputs.Add(new ValueInfoProto(condOut, ElementType.Bool, []));
        b.Graph.Outputs.Add(new ValueInfoProto(token, ElementType.Int64, [beamSize]));
        for (int i = 0; i < states.Length; i++) b.Graph.Outputs.Add(new ValueInfoProto(kept[i], ElementType.Float, stateInfos[i]));
        b.Graph.Outputs.Add(new ValueInfoProto(scores, ElementType.Double, [beamSize]));
        b.Graph.Outputs.Add(new ValueInfoProto(alive, ElementType.Bool, [beamSize]));
        b.Graph.Outputs.Add(new ValueInfoProto(history, ElementType.Int64, [beamSize, maxLength]));
        b.Graph.Outputs.Add(new ValueInfoProto(bestScore, ElementType.Double, []));
        b.Graph.Outputs.Add(new ValueInfoProto(best, ElementType.Int64, [maxLength]));
        return b.Graph;
    }

    // log-softmax over the last axis computed as the C# decoder does: in float, the sum of exponentials in double.
    private static string LogSoftmax(GraphBuilder b, string logits)
    {
        string max = b.Add("ReduceMax", [logits], AttributeProto.Of("axes", [1L]), AttributeProto.Of("keepdims", 1L)); // [K, 1]
        string sum = b.Add("ReduceSum", [b.Add("Exp", [b.Cast(b.Add("Sub", [logits, max]), ElementType.Double)]), b.Int64s(1)]); // [K, 1]
        return b.Add("Sub", [logits, b.Add("Add", [max, b.Cast(b.Add("Log", [sum]), ElementType.Float)])]);
    }
}
