using Microsoft.ML.Recurrent.Onnx;

namespace Microsoft.ML.Recurrent.LanguageModel;

/// <summary>
/// Emits text → token ids inside the graph, so that a runtime (and ML.NET's character tokenizer, which yields
/// UTF-16 code units) can feed text directly: UTF-16 units [1, n] → code points (surrogate pairs joined) →
/// vocabulary indices, characters the model does not know dropped, and an empty result replaced by the start
/// character — the rules of <see cref="CharLanguageModelTransformer"/> and <see cref="Sampler"/>.
/// Every step also works for n = 0.
/// </summary>
internal static class PromptEncoding
{
    private const long HighSurrogate = 0xD800, LowSurrogate = 0xDC00, SurrogateEnd = 0xE000;

    /// <summary>units [1, n] (uint16) → ids [m ≥ 1] (int64).</summary>
    public static string Emit(GraphBuilder g, string units, CharVocabulary vocabulary)
    {
        string u = g.Squeeze(g.Cast(units, ElementType.Int64), 0);            // [n]
        string next = ShiftLeft(g, u);                                           // u[i + 1], 0 past the end
        string pair = g.Add("And", [InRange(g, u, HighSurrogate, LowSurrogate), InRange(g, next, LowSurrogate, SurrogateEnd)]);
        string combined = g.Add("Add", [
            g.Add("Add", [g.Add("Mul", [g.Add("Sub", [u, g.Int64(HighSurrogate)]), g.Int64(1024)]), g.Add("Sub", [next, g.Int64(LowSurrogate)])]),
            g.Int64(0x10000)]);
        string codePoints = g.Add("Where", [pair, combined, u]);
        // The low half of a joined pair is not a character of its own.
        string secondHalf = ShiftRight(g, g.Cast(pair, ElementType.Int64));
        string isCharacter = g.Add("Equal", [secondHalf, g.Int64(0)]);

        // Vocabulary lookup: compare with every known code point; at most one matches.
        long[] known = [.. vocabulary.CodePoints.ToArray().Select(c => (long)c)];
        string matches = g.Cast(g.Add("Equal", [g.Unsqueeze(codePoints, 1), g.Int64s(known)]), ElementType.Int64); // [n, V]
        string index = g.Add("ReduceSum", [g.Add("Mul", [matches, g.Int64s([.. Enumerable.Range(0, known.Length).Select(i => (long)i)])]), g.Int64s(1)],
            AttributeProto.Of("keepdims", 0L));
        string found = g.Add("Greater", [g.Add("ReduceSum", [matches, g.Int64s(1)], AttributeProto.Of("keepdims", 0L)), g.Int64(0)]);
        string ids = g.Add("Compress", [index, g.Add("And", [isCharacter, found])], AttributeProto.Of("axis", 0L));

        // An empty prompt starts from the start character: take [start, ids...] from position min(m, 1).
        string withStart = g.Add("Concat", [g.Int64s(StartId(vocabulary)), ids], AttributeProto.Of("axis", 0L));
        string from = g.Add("Min", [g.Add("Reshape", [g.Add("Size", [ids]), g.Int64s(1)]), g.Int64s(1)]);
        return g.Add("Slice", [withStart, from, g.Int64s(long.MaxValue), g.Int64s(0)]);
    }

    /// <summary>The character generation starts from when the prompt is empty: a newline if known, else the first.</summary>
    public static int StartId(CharVocabulary vocabulary) => vocabulary.TryGetIndex('\n', out int newline) ? newline : 0;

    private static string InRange(GraphBuilder g, string x, long from, long to)
        => g.Add("And", [g.Add("GreaterOrEqual", [x, g.Int64(from)]), g.Add("Less", [x, g.Int64(to)])]);

    // y[i] = x[i + 1], y[n - 1] = 0
    private static string ShiftLeft(GraphBuilder g, string x)
        => g.Add("Slice", [g.Add("Pad", [x, g.Int64s(0, 1)]), g.Int64s(1), g.Int64s(long.MaxValue), g.Int64s(0)]);

    // y[i] = x[i - 1], y[0] = 0
    private static string ShiftRight(GraphBuilder g, string x)
        => g.Add("Slice", [g.Add("Pad", [x, g.Int64s(1, 0)]), g.Int64s(0), g.Int64s(-1), g.Int64s(0)]);
}
