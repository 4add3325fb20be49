namespace Microsoft.ML.Recurrent.Tagging;

/// <summary>
/// A word's characters as the tagger reads them: at most <see cref="MaxLength"/>, the first and last
/// <see cref="KeptFromEachEnd"/> of a longer word (its prefix and its suffix carry what the spelling says about its
/// part of speech), each mapped to its id (0 = a character never seen in training). The one rule shared by the
/// trainer (<see cref="Ids"/>) and the ONNX graph (<see cref="CharacterFeatureGraph"/>, through the same constants).
/// </summary>
internal static class WordCharacters
{
    /// <summary>Most characters read per word.</summary>
    public const int MaxLength = 24;

    /// <summary>Characters kept from each end of a word longer than <see cref="MaxLength"/>.</summary>
    public const int KeptFromEachEnd = MaxLength / 2;

    /// <summary>The character ids of <paramref name="word"/> (1..<see cref="MaxLength"/> of them; an empty word reads as one unknown character).</summary>
    public static int[] Ids(string word, IReadOnlyDictionary<char, int> characters)
    {
        if (word.Length == 0) return [0];
        var ids = new int[Math.Min(word.Length, MaxLength)];
        for (int j = 0; j < ids.Length; j++)
            ids[j] = characters.TryGetValue(word[Position(word.Length, j)], out int id) ? id : 0;
        return ids;
    }

    /// <summary>Where in a word of <paramref name="length"/> characters its <paramref name="j"/>-th kept character is.</summary>
    public static int Position(int length, int j) => length <= MaxLength || j < KeptFromEachEnd ? j : length - MaxLength + j;
}
