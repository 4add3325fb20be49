using System.Text;

namespace Microsoft.ML.Recurrent.Text;

/// <summary>
/// Caption words kept by a minimum count, after the reserved &lt;START&gt; (0), &lt;END&gt; (1) and &lt;UNK&gt; (2).
/// Words are lower-cased runs of letters, digits and apostrophes (punctuation is dropped).
/// </summary>
internal sealed class WordVocabulary
{
    public const int Start = 0, End = 1, Unknown = 2;
    public const string EndSymbol = "<END>";
    private static readonly string[] Reserved = ["<START>", EndSymbol, "<UNK>"];
    private readonly string[] _words;
    private readonly Dictionary<string, int> _index;

    public WordVocabulary(IEnumerable<string> words)
    {
        _words = [.. Reserved, .. words];
        _index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < _words.Length; i++)
            if (!_index.TryAdd(_words[i], i)) throw new ArgumentException($"Word '{_words[i]}' appears twice in the vocabulary.", nameof(words));
    }

    /// <summary>The words of <paramref name="captions"/> seen at least <paramref name="minCount"/> times, most frequent first.</summary>
    public static WordVocabulary Build(IEnumerable<string> captions, int minCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(minCount);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var caption in captions)
            foreach (var word in Tokenize(caption))
                counts[word] = counts.GetValueOrDefault(word) + 1;
        return new WordVocabulary(counts.Where(kv => kv.Value >= minCount && !Reserved.Contains(kv.Key))
            .OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key));
    }

    /// <summary>Number of ids, reserved ones included.</summary>
    public int Count => _words.Length;

    /// <summary>The words in id order, reserved ones first.</summary>
    public IReadOnlyList<string> Words => _words;

    /// <summary>Lower-cased words of a caption.</summary>
    public static List<string> Tokenize(string caption)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        foreach (char ch in caption)
        {
            if (char.IsLetterOrDigit(ch) || ch == '\'') word.Append(char.ToLowerInvariant(ch));
            else if (word.Length > 0)
            {
                words.Add(word.ToString());
                word.Clear();
            }
        }
        if (word.Length > 0) words.Add(word.ToString());
        return words;
    }

    /// <summary>Word ids of a caption (unknown words map to &lt;UNK&gt;), without &lt;START&gt;/&lt;END&gt;.</summary>
    public int[] Encode(string caption) => [.. Tokenize(caption).Select(w => _index.GetValueOrDefault(w, Unknown))];

    /// <summary>The sentence of the ids up to the first &lt;END&gt;, reserved ids other than &lt;UNK&gt; left out.</summary>
    public string Decode(IEnumerable<int> ids)
        => string.Join(' ', ids.TakeWhile(id => id != End).Where(id => id != Start).Select(id => _words[id]));
}
