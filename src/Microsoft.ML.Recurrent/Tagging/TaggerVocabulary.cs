namespace Microsoft.ML.Recurrent.Tagging;

/// <summary>
/// What a tagger maps to ids: its words (id 1.., 0 = unknown; lower-cased when <see cref="Lowercase"/>), the
/// characters of the training words (id 1.., 0 = unknown) and the labels (id 0..).
/// </summary>
internal sealed class TaggerVocabulary
{
    private readonly Dictionary<string, int> _words;
    private readonly Dictionary<char, int> _characters;
    private readonly Dictionary<string, int> _labels;

    public TaggerVocabulary(IReadOnlyList<string> words, IReadOnlyList<char> characters, IReadOnlyList<string> labels, bool lowercase)
    {
        Words = [.. words];
        Characters = [.. characters];
        Labels = [.. labels];
        Lowercase = lowercase;
        _words = Index(Words, "word", 1);
        _characters = [];
        for (int i = 0; i < Characters.Length; i++)
            if (!_characters.TryAdd(Characters[i], i + 1)) throw new ArgumentException($"Character '{Characters[i]}' appears twice.", nameof(characters));
        _labels = Index(Labels, "label", 0);
    }

    /// <summary>The words in id order from id 1 (id 0, the unknown word, is implied).</summary>
    public string[] Words { get; }
    /// <summary>The characters in id order from id 1.</summary>
    public char[] Characters { get; }
    /// <summary>The labels in id order.</summary>
    public string[] Labels { get; }
    public bool Lowercase { get; }
    /// <summary>Word ids, the unknown word included.</summary>
    public int WordCount => Words.Length + 1;
    /// <summary>Character ids, the unknown character included.</summary>
    public int CharacterCount => Characters.Length + 1;
    /// <summary>Character → id, for <see cref="WordCharacters"/>.</summary>
    public IReadOnlyDictionary<char, int> CharacterIds => _characters;

    /// <summary>The words (kept when seen at least <paramref name="minWordCount"/> times), characters and labels of the training sentences, in first-seen order.</summary>
    public static TaggerVocabulary Build(IEnumerable<TaggedSentence> sentences, bool lowercase, int minWordCount)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var order = new List<string>();
        var characters = new List<char>();
        var seenCharacters = new HashSet<char>();
        var labels = new List<string>();
        var seenLabels = new HashSet<string>(StringComparer.Ordinal);
        foreach (var sentence in sentences)
        {
            for (int i = 0; i < sentence.Tokens.Count; i++)
            {
                string token = sentence.Tokens[i], word = Normalize(token, lowercase);
                if (counts.TryGetValue(word, out int count)) counts[word] = count + 1;
                else
                {
                    counts[word] = 1;
                    order.Add(word);
                }
                foreach (char c in token)
                    if (seenCharacters.Add(c)) characters.Add(c);
                if (seenLabels.Add(sentence.Labels[i])) labels.Add(sentence.Labels[i]);
            }
        }
        return new TaggerVocabulary([.. order.Where(w => counts[w] >= minWordCount)], characters, labels, lowercase);
    }

    public int WordId(string token) => _words.GetValueOrDefault(Normalize(token, Lowercase));

    public int[] CharacterIdsOf(string token) => WordCharacters.Ids(token, _characters);

    /// <summary>The label's id, or −1 when the label is not one of the training labels.</summary>
    public int LabelId(string label) => _labels.TryGetValue(label, out int id) ? id : -1;

    private static string Normalize(string token, bool lowercase) => lowercase ? token.ToLowerInvariant() : token;

    private static Dictionary<string, int> Index(string[] items, string what, int first)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < items.Length; i++)
            if (!index.TryAdd(items[i], i + first)) throw new ArgumentException($"The {what} '{items[i]}' appears twice.");
        return index;
    }
}
