using System.Text;
using Microsoft.ML.Recurrent;

namespace Translation;

/// <summary>A user's own pairs, split the way the shared data sets are, and the training pairs of any split.</summary>
public static partial class SequenceCorpora
{
    /// <summary>
    /// Pairs from a UTF-8 file of <c>source&lt;TAB&gt;target</c> lines, one pair a line (blank lines skipped). Target
    /// tokens are separated by white space; so are source tokens, or with <paramref name="characterSource"/> the source
    /// is its characters (white space dropped), as for spelling → pronunciation. Lines with the same source are one
    /// item with several references; the split is the shared data's: <c>crc32(UTF-8 of the source tokens, joined by a space or, for characters, by nothing) % 20</c>, 0 → test,
    /// 1 → validation, anything else → training.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">A line has no tab, or an empty side (the line is named).</exception>
    public static (List<ReferenceSet> Train, List<ReferenceSet> Valid, List<ReferenceSet> Test) TabSeparated(string path, bool characterSource)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"The data file '{path}' does not exist.", path);
        var groups = new Groups();
        int number = 0;
        foreach (string line in File.ReadLines(path, Encoding.UTF8))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            int tab = line.IndexOf('\t');
            if (tab < 0) throw new InvalidDataException($"Line {number} of '{path}' has no tab between its source and its target.");
            string[] sourceTokens = SourceTokens(line[..tab], characterSource);
            string[] targetTokens = [.. SplitOnSpace(line[(tab + 1)..])];
            if (sourceTokens.Length == 0 || targetTokens.Length == 0)
                throw new InvalidDataException($"Line {number} of '{path}' has an empty {(sourceTokens.Length == 0 ? "source" : "target")}.");
            groups.Add(string.Join(characterSource ? "" : " ", sourceTokens), () => sourceTokens, targetTokens);
        }
        return groups.Split();
    }

    /// <summary>The tokens of a source as <see cref="TabSeparated"/> reads them: its characters without white space, or its white-space-separated words.</summary>
    public static string[] SourceTokens(string text, bool characters)
        => characters ? [.. text.EnumerateRunes().Where(r => !IsSpace(r)).Select(r => r.ToString())] : [.. SplitOnSpace(text)];

    /// <summary>Every (source, reference) pair of <paramref name="items"/>: what a translator trains on.</summary>
    public static List<SequencePair> Pairs(IEnumerable<ReferenceSet> items)
        => [.. items.SelectMany(i => i.References.Select(r => new SequencePair(i.Source, r)))];
}
