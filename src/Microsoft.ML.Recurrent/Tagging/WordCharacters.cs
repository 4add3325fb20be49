namespace Microsoft.ML.Recurrent.Tagging;

/// <summary>
/// A word's characters as the tagger reads them: at most <see cref="MaxLength"/>, the first and last
/// <see cref="MaxLength"/>/2 of a longer word (its prefix and its suffix carry what the spelling says about its
/// part of speech), each mapped to its id (0 = a character never seen in training).
/// </summary>
internal static class WordCharacters
{
    /// <summary>Most characters read per word.</summary>
    public const int MaxLength = 24;

    /// <summary>The character ids of <paramref name="word"/> (1..<see cref="MaxLength"/> of them; an empty word reads as one unknown character).</summary>
    public static int[] Ids(string word, IReadOnlyDictionary<char, int> characters)
    {
        if (word.Length == 0) return [0];
        int n = Math.Min(word.Length, MaxLength), half = MaxLength / 2;
        var ids = new int[n];
        for (int i = 0; i < n; i++)
        {
            char c = word.Length <= MaxLength || i < half ? word[i] : word[word.Length - (n - i)];
            ids[i] = characters.TryGetValue(c, out int id) ? id : 0;
        }
        return ids;
    }
}
