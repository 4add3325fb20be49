using System.Text;

namespace Microsoft.ML.Recurrent;

/// <summary>
/// Reads and writes tagged corpora: the CoNLL column format (a token and its label per line, a blank line between
/// sentences; CoNLL-2000/2003 files work as they are) and the slash-tagged format of the Brown corpus (a sentence
/// per line, tokens <c>word/tag</c>). Labels are kept exactly as written: lower-casing or mapping them is the
/// caller's rule. Files are read as UTF-8 (a byte-order mark is allowed; an invalid byte is an error).
/// </summary>
public static class TaggedCorpus
{
    private const string DocumentStart = "-DOCSTART-";

    /// <summary>Reads a CoNLL-style file; see <see cref="ReadConll(TextReader)"/>. Errors name the file and the line.</summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">A line has a single column, or the file is not UTF-8.</exception>
    public static IReadOnlyList<TaggedSentence> ReadConll(string path)
    {
        using var reader = OpenUtf8(path);
        return ReadConll(reader, $"'{path}'");
    }

    /// <summary>
    /// Reads CoNLL-style lines: a line with a tab is split at its tabs (so a token may hold spaces), any other at
    /// its white space; the first column is the token and the last the label, so <c>token&lt;TAB&gt;label</c> and
    /// CoNLL-2003's <c>token POS chunk entity</c> both read. A blank line ends a sentence; a <c>-DOCSTART-</c> line
    /// is skipped (and ends a sentence too).
    /// </summary>
    /// <exception cref="InvalidDataException">A line has a single column; the message names the line (1-based).</exception>
    public static IReadOnlyList<TaggedSentence> ReadConll(TextReader reader) => ReadConll(reader, null);

    /// <summary>Reads a slash-tagged file; see <see cref="ReadSlashTagged(TextReader)"/>. Errors name the file and the line.</summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">A token is not <c>word/tag</c>, or the file is not UTF-8.</exception>
    public static IReadOnlyList<TaggedSentence> ReadSlashTagged(string path)
    {
        using var reader = OpenUtf8(path);
        return ReadSlashTagged(reader, $"'{path}'");
    }

    /// <summary>
    /// Reads one sentence per line, white-space separated tokens <c>word/tag</c> split at the <b>last</b> <c>/</c>
    /// (so <c>1/2/cd</c> is the word <c>1/2</c> with the tag <c>cd</c>), as in the Brown corpus; blank lines are skipped.
    /// </summary>
    /// <exception cref="InvalidDataException">A token has no <c>/</c>, or nothing before or after its last one; the
    /// message names the line (1-based) and the token.</exception>
    public static IReadOnlyList<TaggedSentence> ReadSlashTagged(TextReader reader) => ReadSlashTagged(reader, null);

    /// <summary>
    /// Writes <paramref name="sentences"/> as <c>token&lt;TAB&gt;label</c> lines (line feeds), a blank line after each
    /// sentence: what <see cref="ReadConll(TextReader)"/> reads back to the same sentences.
    /// </summary>
    /// <exception cref="ArgumentException">A sentence is null or empty, or a token or label cannot be read back: it
    /// holds a tab or a line break, starts or ends with white space, or is the token <c>-DOCSTART-</c>.</exception>
    public static void WriteConll(TextWriter writer, IEnumerable<TaggedSentence> sentences)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(sentences);
        int index = 0;
        foreach (var sentence in sentences)
        {
            if (sentence is null || sentence.Tokens.Count == 0)
                throw new ArgumentException($"Sentence {index} is {(sentence is null ? "null" : "empty")}; the CoNLL format has no way to write it.", nameof(sentences));
            for (int i = 0; i < sentence.Tokens.Count; i++)
            {
                if (sentence.Tokens[i] == DocumentStart)
                    throw new ArgumentException($"Sentence {index}: token {i} is {DocumentStart}, which readers skip as a document marker.", nameof(sentences));
                writer.Write(Column(sentence.Tokens[i], index, i, "token"));
                writer.Write('\t');
                writer.Write(Column(sentence.Labels[i], index, i, "label"));
                writer.Write('\n');
            }
            writer.Write('\n');
            index++;
        }
    }

    private static string Column(string text, int sentence, int token, string what)
    {
        if (text.AsSpan().IndexOfAny('\t', '\r', '\n') >= 0 || char.IsWhiteSpace(text[0]) || char.IsWhiteSpace(text[^1]))
            throw new ArgumentException(
                $"Sentence {sentence}: the {what} of token {token} ('{text}') holds a tab or line break or starts or ends with white space, so it would not read back.", "sentences");
        return text;
    }

    private static List<TaggedSentence> ReadConll(TextReader reader, string? source)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var sentences = new List<TaggedSentence>();
        var tokens = new List<string>();
        var labels = new List<string>();
        foreach (var (number, line) in Lines(reader, source))
        {
            var columns = line.Contains('\t')
                ? line.Split('\t', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                : line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (columns.Length == 0 || columns[0] == DocumentStart)
            {
                if (tokens.Count > 0) sentences.Add(new TaggedSentence(tokens, labels));
                tokens.Clear();
                labels.Clear();
                continue;
            }
            if (columns.Length == 1)
                throw new InvalidDataException($"{Where(source, number)}: '{line}' has one column; a CoNLL line needs a token and a label, separated by a tab or spaces.");
            tokens.Add(columns[0]);
            labels.Add(columns[^1]);
        }
        if (tokens.Count > 0) sentences.Add(new TaggedSentence(tokens, labels));
        return sentences;
    }

    private static List<TaggedSentence> ReadSlashTagged(TextReader reader, string? source)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var sentences = new List<TaggedSentence>();
        foreach (var (number, line) in Lines(reader, source))
        {
            var items = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (items.Length == 0) continue;
            var tokens = new string[items.Length];
            var labels = new string[items.Length];
            for (int i = 0; i < items.Length; i++)
            {
                int slash = items[i].LastIndexOf('/');
                if (slash <= 0 || slash == items[i].Length - 1)
                    throw new InvalidDataException($"{Where(source, number)}: token {i + 1} ('{items[i]}') is not word/tag (a word, a '/', then a tag).");
                tokens[i] = items[i][..slash];
                labels[i] = items[i][(slash + 1)..];
            }
            sentences.Add(new TaggedSentence(tokens, labels));
        }
        return sentences;
    }

    private static StreamReader OpenUtf8(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"The corpus file '{path}' does not exist.", path);
        return new StreamReader(path, new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: true);
    }

    // Numbered lines (1-based); a decoding error becomes one that says where it is.
    private static IEnumerable<(int Number, string Text)> Lines(TextReader reader, string? source)
    {
        for (int number = 1; ; number++)
        {
            string? line;
            try
            {
                line = reader.ReadLine();
            }
            catch (DecoderFallbackException e)
            {
                // The reader decodes a buffer at a time, so the bad byte is in this line or a later one.
                throw new InvalidDataException($"{Where(source, number)} or after: the text is not valid UTF-8; convert it to UTF-8 first.", e);
            }
            if (line is null) yield break;
            yield return (number, line);
        }
    }

    private static string Where(string? source, int line) => source is null ? $"Line {line}" : $"{source} line {line}";
}
