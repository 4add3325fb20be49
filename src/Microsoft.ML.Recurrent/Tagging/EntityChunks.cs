namespace Microsoft.ML.Recurrent.Tagging;

/// <summary>
/// Entity spans (chunks) of a label sequence by CoNLL's <c>conlleval</c> rules: a label is <c>O</c> or
/// <c>P-TYPE</c> with the prefix P one of B, I, E, S, and a chunk starts and ends where conlleval's
/// <c>startOfChunk</c>/<c>endOfChunk</c> say. Those rules know B, I and E (so IOB1, IOB2/BIO, IOE1 and IOE2
/// work: an <c>I-X</c> after <c>O</c> or after another type starts a chunk); the original script has no rule
/// for S and none for an E followed by a B, so it would merge <c>S-X S-X</c> into one chunk. The rules here
/// add those cases as seqeval's port of conlleval does (S is a chunk of one token, E always closes one, B
/// always opens one), which changes nothing for a sequence without both B and E, or without S.
/// </summary>
internal static class EntityChunks
{
    /// <summary>Whether <paramref name="label"/> is <c>O</c> or starts with <c>B-</c>, <c>I-</c>, <c>E-</c> or <c>S-</c>.</summary>
    public static bool IsChunkLabel(string label)
        => label == "O" || (label.Length >= 2 && label[1] == '-' && label[0] is 'B' or 'I' or 'E' or 'S');

    /// <summary>The chunks of <paramref name="labels"/> (all chunk labels), as [Start, End) token ranges with their type.</summary>
    public static List<(int Start, int End, string Type)> Spans(IReadOnlyList<string> labels)
    {
        var spans = new List<(int Start, int End, string Type)>();
        // conlleval reads a sentence boundary as an O before the first token and after the last one.
        char previousTag = 'O';
        string previousType = "";
        int start = -1;
        for (int i = 0; i <= labels.Count; i++)
        {
            var (tag, type) = i < labels.Count ? Split(labels[i]) : ('O', "");
            if (start >= 0 && EndOfChunk(previousTag, tag, previousType, type))
            {
                spans.Add((start, i, previousType));
                start = -1;
            }
            if (StartOfChunk(previousTag, tag, previousType, type)) start = i;
            previousTag = tag;
            previousType = type;
        }
        return spans;
    }

    // conlleval splits at the first '-': the prefix, then the type (O has the empty type).
    private static (char Tag, string Type) Split(string label) => label == "O" ? ('O', "") : (label[0], label[2..]);

    // Whether a chunk ended between the previous token and this one.
    private static bool EndOfChunk(char previousTag, char tag, string previousType, string type)
        => previousTag is 'E' or 'S'
            || (previousTag is 'B' or 'I' && tag is 'B' or 'S' or 'O')
            || (previousTag != 'O' && previousType != type);

    // Whether a chunk starts at this token.
    private static bool StartOfChunk(char previousTag, char tag, string previousType, string type)
        => tag is 'B' or 'S'
            || (tag is 'I' or 'E' && previousTag is 'O' or 'E' or 'S')
            || (tag != 'O' && previousType != type);
}
