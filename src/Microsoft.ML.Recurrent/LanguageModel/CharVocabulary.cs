using System.Text;

namespace Microsoft.ML.Recurrent.LanguageModel;

/// <summary>
/// The characters (Unicode scalar values, so text outside the BMP is one symbol, not two surrogates) a
/// model knows, sorted by code point; a character's index is its position.
/// </summary>
internal sealed class CharVocabulary
{
    private readonly int[] _codePoints;
    private readonly Dictionary<int, int> _indexOf;
    private readonly string[] _symbols;

    public CharVocabulary(IEnumerable<int> codePoints)
    {
        _codePoints = [.. codePoints];
        if (_codePoints.Length == 0) throw new ArgumentException("The vocabulary is empty.", nameof(codePoints));
        _indexOf = new Dictionary<int, int>(_codePoints.Length);
        for (int i = 0; i < _codePoints.Length; i++)
        {
            if (!Rune.IsValid(_codePoints[i])) throw new ArgumentException($"Code point {_codePoints[i]} is not a Unicode scalar value.", nameof(codePoints));
            if (i > 0 && _codePoints[i] <= _codePoints[i - 1]) throw new ArgumentException("Vocabulary code points must be strictly increasing.", nameof(codePoints));
            _indexOf.Add(_codePoints[i], i);
        }
        _symbols = [.. _codePoints.Select(c => new Rune(c).ToString())]; // decoding a sampled index then allocates nothing
        Symbols = Array.AsReadOnly(_symbols);
    }

    /// <summary>The distinct characters of <paramref name="text"/>.</summary>
    public static CharVocabulary FromText(string text)
    {
        var set = new SortedSet<int>();
        foreach (var rune in text.EnumerateRunes()) set.Add(rune.Value);
        return new CharVocabulary(set);
    }

    public int Count => _codePoints.Length;

    public ReadOnlySpan<int> CodePoints => _codePoints;

    public IReadOnlyList<string> Symbols { get; }

    public bool TryGetIndex(int codePoint, out int index) => _indexOf.TryGetValue(codePoint, out index);

    public string Decode(int index) => _symbols[index];

    /// <summary>Indices of the characters of <paramref name="text"/>; an unknown character is an error that names it.</summary>
    public int[] Encode(string text, string what = "text")
    {
        var ids = new List<int>(text.Length);
        int position = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (!_indexOf.TryGetValue(rune.Value, out int id))
                throw new ArgumentException(
                    $"The {what} contains '{rune}' (U+{rune.Value:X4}) at character {position}, which the model never saw in training. " +
                    $"The model knows {Count} characters.", what);
            ids.Add(id);
            position++;
        }
        return [.. ids];
    }
}
