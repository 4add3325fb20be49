namespace Microsoft.ML.Recurrent.Tagging;

/// <summary>
/// Which characters of a word the tagger's character features read, the one rule shared by the trainer (through
/// <see cref="Ids"/>) and the ONNX graph (<see cref="CharacterFeatureGraph"/>, through the same constants): at most
/// <see cref="MaxWordCharacters"/> UTF-16 code units, the first <see cref="KeptFromEachEnd"/> and the last
/// <see cref="KeptFromEachEnd"/> of a longer word, since prefixes and suffixes carry most of a word's tag evidence.
/// </summary>
internal static class WordCharacters
{
    /// <summary>The most characters read from one word.</summary>
    public const int MaxWordCharacters = 24;

    /// <summary>Characters kept from each end of a word longer than <see cref="MaxWordCharacters"/>.</summary>
    public const int KeptFromEachEnd = MaxWordCharacters / 2;

    /// <summary>
    /// <paramref name="word"/> → the ids of its kept characters, [min(|word|, <see cref="MaxWordCharacters"/>)], a
    /// character missing from <paramref name="vocabulary"/> read as 0 (the unknown character).
    /// </summary>
    /// <exception cref="ArgumentNullException">The word or the vocabulary is null.</exception>
    public static int[] Ids(string word, IReadOnlyDictionary<char, int> vocabulary)
    {
        ArgumentNullException.ThrowIfNull(word);
        ArgumentNullException.ThrowIfNull(vocabulary);
        var ids = new int[Math.Min(word.Length, MaxWordCharacters)];
        for (int j = 0; j < ids.Length; j++)
            ids[j] = vocabulary.TryGetValue(word[Position(word.Length, j)], out int id) ? id : 0;
        return ids;
    }

    /// <summary>Where in a word of <paramref name="length"/> characters its <paramref name="j"/>-th kept character is.</summary>
    public static int Position(int length, int j) => length <= MaxWordCharacters || j < KeptFromEachEnd ? j : length - MaxWordCharacters + j;
}
