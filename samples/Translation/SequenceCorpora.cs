using System.IO.Hashing;
using System.Text;
using System.Text.RegularExpressions;

namespace Translation;

/// <summary>One source sequence with every target sequence it has (a word's pronunciations, a German sentence's English sentences).</summary>
/// <param name="Source">The source tokens.</param>
/// <param name="References">The target sequences, in the order the data lists them.</param>
public sealed record ReferenceSet(string[] Source, string[][] References);

/// <summary>
/// The sequence-to-sequence data sets of ../shared/data, parsed and split exactly as ../shared/data/README.md says
/// and as the PyTorch reference's <c>load_g2p</c> and <c>load_de_en</c> read them, so that figures compare. Items
/// come in the order their key first occurs in the file; the split is <c>crc32(UTF-8 of the key) % 20</c>:
/// 0 → test, 1 → validation, anything else → training.
/// </summary>
public static partial class SequenceCorpora
{
    /// <summary>
    /// CMUdict grapheme-to-phoneme pairs from <c>cmudict/dict.txt</c> (Latin-1): lines starting <c>;;;</c> and lines
    /// without two spaces are skipped; the word is the text before the first two spaces with a trailing <c>(N)</c>
    /// removed, kept only when it matches <c>[A-Z][A-Z'.-]*</c>, and lower-cased; alternate pronunciations join
    /// their word. Source tokens are the word's characters, targets the phones with stress digits removed (39
    /// phones, upper case as in the file). The key of the split is the lower-cased word.
    /// </summary>
    /// <param name="dataDirectory">The folder holding <c>cmudict/</c> (../shared/data).</param>
    /// <exception cref="ArgumentException"><paramref name="dataDirectory"/> is null or empty.</exception>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">The folder holds no <c>cmudict/dict.txt</c>.</exception>
    public static (List<ReferenceSet> Train, List<ReferenceSet> Valid, List<ReferenceSet> Test) Cmudict(string dataDirectory)
    {
        var groups = new Groups();
        foreach (string line in File.ReadLines(DataFile(dataDirectory, "cmudict", "dict.txt"), Encoding.Latin1))
        {
            int separator = line.IndexOf("  ", StringComparison.Ordinal);
            if (line.StartsWith(";;;", StringComparison.Ordinal) || separator < 0) continue;
            string word = AlternateNumber().Replace(line[..separator], "");
            if (!CmudictWord().IsMatch(word)) continue;
            word = word.ToLowerInvariant();
            var phones = SplitOnSpace(line[(separator + 2)..]).Select(p => string.Concat(p.Where(c => !char.IsDigit(c)))).ToArray();
            groups.Add(word, () => [.. word.Select(c => c.ToString())], phones);
        }
        return groups.Split();
    }

    /// <summary>
    /// German–English sentence pairs from the Ding dictionary <c>de-en/de-en.txt</c> (UTF-8): lines starting <c>#</c>
    /// or without <c> :: </c> are skipped; each side is split at <c> | </c> (the line is skipped when the counts
    /// differ); of each aligned pair the first <c>; </c>-separated variant is kept, <c>{…}</c> and <c>[…]</c>
    /// annotations deleted and white space collapsed. A pair is kept when the German side starts with an
    /// upper-case letter, both sides end in <c>.</c>, <c>?</c> or <c>!</c> and each has 1–12 tokens
    /// (<see cref="TokenizeWords"/>). Identical German sentences are merged, their English sides all references;
    /// the key of the split is the cleaned German sentence.
    /// </summary>
    /// <param name="dataDirectory">The folder holding <c>de-en/</c> (../shared/data).</param>
    /// <exception cref="ArgumentException"><paramref name="dataDirectory"/> is null or empty.</exception>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">The folder holds no <c>de-en/de-en.txt</c>.</exception>
    public static (List<ReferenceSet> Train, List<ReferenceSet> Valid, List<ReferenceSet> Test) GermanEnglish(string dataDirectory)
    {
        const int MaxTokens = 12;
        var groups = new Groups();
        foreach (string line in File.ReadLines(DataFile(dataDirectory, "de-en", "de-en.txt"), Encoding.UTF8))
        {
            int separator = line.IndexOf(" :: ", StringComparison.Ordinal);
            if (line.StartsWith('#') || separator < 0) continue;
            string[] german = line[..separator].Split(" | "), english = line[(separator + 4)..].Split(" | ");
            if (german.Length != english.Length) continue;
            for (int i = 0; i < german.Length; i++)
            {
                string de = CleanDing(german[i].Split("; ")[0]), en = CleanDing(english[i].Split("; ")[0]);
                if (!(de.Length > 0 && Rune.IsUpper(Rune.GetRuneAt(de, 0)) && EndsSentence(de) && EndsSentence(en))) continue;
                string[] deTokens = TokenizeWords(de), enTokens = TokenizeWords(en);
                if (deTokens.Length is >= 1 and <= MaxTokens && enTokens.Length is >= 1 and <= MaxTokens)
                    groups.Add(de, () => deTokens, enTokens);
            }
        }
        return groups.Split();
    }

    /// <summary>
    /// The words and punctuation marks of <paramref name="text"/>, lower-cased (invariant culture): each token is a
    /// run of word characters, optionally followed by an apostrophe and a second run (<c>don't</c>), or one
    /// character that is neither a word character nor white space. Word characters are letters, numbers (digits
    /// and also <c>²</c>, <c>½</c>) and <c>_</c>, white space is what Python's <c>str.isspace</c> calls so: the
    /// reference's <c>\w+(?:'\w+)?|[^\w\s]</c> under Python's Unicode rules, which differ from .NET's <c>\w</c>.
    /// (Python's <c>lower()</c> differs from the invariant lower-casing only for <c>İ</c> and a word-final <c>Σ</c>;
    /// the de-en data holds neither.)
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    public static string[] TokenizeWords(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string s = text.ToLowerInvariant();
        var tokens = new List<string>();
        for (int i = 0; i < s.Length;)
        {
            Rune.DecodeFromUtf16(s.AsSpan(i), out Rune rune, out int length);
            if (IsWord(rune))
            {
                int end = SkipWord(s, i);
                // An apostrophe between two runs of word characters joins them (don't, o'clock).
                if (end < s.Length && s[end] == '\'' && SkipWord(s, end + 1) is int after && after > end + 1) end = after;
                tokens.Add(s[i..end]);
                i = end;
                continue;
            }
            if (!IsSpace(rune)) tokens.Add(s.Substring(i, length));
            i += length;
        }
        return [.. tokens];
    }

    private static bool IsWord(Rune rune) => rune.Value == '_' || Rune.IsLetter(rune) || Rune.IsNumber(rune);

    private static int SkipWord(string s, int index)
    {
        while (index < s.Length)
        {
            Rune.DecodeFromUtf16(s.AsSpan(index), out Rune rune, out int length);
            if (!IsWord(rune)) break;
            index += length;
        }
        return index;
    }

    // Python's str.isspace (and its regex \s): .NET's white space plus the four separators U+001C–U+001F.
    private static bool IsSpace(Rune rune) => Rune.IsWhiteSpace(rune) || rune.Value is >= 0x1C and <= 0x1F;

    // Python's str.split() with no separator: runs of white space separate, none at either end.
    private static List<string> SplitOnSpace(string s)
    {
        var fields = new List<string>();
        int start = -1;
        for (int i = 0; i < s.Length;)
        {
            Rune.DecodeFromUtf16(s.AsSpan(i), out Rune rune, out int length);
            if (!IsSpace(rune))
            {
                if (start < 0) start = i;
            }
            else if (start >= 0)
            {
                fields.Add(s[start..i]);
                start = -1;
            }
            i += length;
        }
        if (start >= 0) fields.Add(s[start..]);
        return fields;
    }

    // Annotations removed, then white space collapsed to single spaces and trimmed.
    private static string CleanDing(string s) => string.Join(' ', SplitOnSpace(Annotation().Replace(s, "")));

    private static bool EndsSentence(string s) => s.Length > 0 && s[^1] is '.' or '?' or '!';

    private static string DataFile(string dataDirectory, string folder, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        if (!Directory.Exists(dataDirectory)) throw new DirectoryNotFoundException($"The data folder '{dataDirectory}' does not exist.");
        string path = Path.Combine(dataDirectory, folder, name);
        if (!File.Exists(path)) throw new FileNotFoundException($"The data folder '{dataDirectory}' holds no {folder}/{name}.", path);
        return path;
    }

    /// <summary>Items by key in first-occurrence order, each with its source (from its first line) and every target.</summary>
    private sealed class Groups
    {
        private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
        private readonly List<(string Key, string[] Source, List<string[]> Targets)> _items = [];

        public void Add(string key, Func<string[]> source, string[] target)
        {
            if (!_index.TryGetValue(key, out int at))
            {
                _index.Add(key, at = _items.Count);
                _items.Add((key, source(), []));
            }
            _items[at].Targets.Add(target);
        }

        public (List<ReferenceSet> Train, List<ReferenceSet> Valid, List<ReferenceSet> Test) Split()
        {
            List<ReferenceSet> train = [], valid = [], test = [];
            foreach (var (key, source, targets) in _items)
            {
                var part = (Crc32.HashToUInt32(Encoding.UTF8.GetBytes(key)) % 20) switch { 0 => test, 1 => valid, _ => train };
                part.Add(new ReferenceSet(source, [.. targets]));
            }
            return (train, valid, test);
        }
    }

    [GeneratedRegex(@"\(\d+\)$", RegexOptions.CultureInvariant)]
    private static partial Regex AlternateNumber();

    [GeneratedRegex(@"^[A-Z][A-Z'.-]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex CmudictWord();

    [GeneratedRegex(@"\{[^}]*\}|\[[^\]]*\]", RegexOptions.CultureInvariant)]
    private static partial Regex Annotation();
}
