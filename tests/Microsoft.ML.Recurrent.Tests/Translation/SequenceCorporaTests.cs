using System.IO.Hashing;
using System.Text;
using Translation;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Translation;

/// <summary>
/// The CMUdict and de-en loaders of samples/Translation (linked into this project) read the splits of
/// ../shared/data/README.md exactly as the PyTorch reference's load_g2p and load_de_en do, and the parsing
/// rules on a small folder.
/// </summary>
public class SequenceCorporaTests
{
    [Fact]
    public void The_shared_cmudict_splits_as_the_reference_does()
    {
        var (train, valid, test) = SequenceCorpora.Cmudict(TestData.Directory);
        // Measured with the reference's load_g2p: per split the words, pronunciations, phones, letters and
        // zlib.crc32 of the UTF-8 text Counts writes (the same on both sides, so every token agrees).
        Assert.Equal((112506, 120390, 767756, 842202, 1893893435u), Counts(train));
        Assert.Equal((6217, 6645, 42569, 46754, 1202537442u), Counts(valid));
        Assert.Equal((6167, 6622, 42351, 46182, 2284944749u), Counts(test));
        Assert.Equal(["a"], train[0].Source);
        Assert.Equal([["AH"], ["EY"]], train[0].References);
        Assert.Equal(["a", "'", "s"], train[1].Source);
        Assert.Equal(["a", "a", "n", "c", "o", "r"], test[0].Source);
        Assert.Equal([["AA", "N", "K", "AO", "R"]], test[0].References);
        Assert.Equal(["a", "b", "b", "o", "t", "t", "'", "s"], valid[1].Source);
        var phones = train.SelectMany(s => s.References).SelectMany(r => r).ToHashSet();
        Assert.Equal(39, phones.Count); // as data/README.md says
    }

    [Fact]
    public void The_shared_de_en_splits_as_the_reference_does()
    {
        var (train, valid, test) = SequenceCorpora.GermanEnglish(TestData.Directory);
        // Measured with the reference's load_de_en: per split the German sentences, English references,
        // English tokens, German tokens and zlib.crc32 of the UTF-8 text Counts writes.
        Assert.Equal((13376, 13543, 106822, 99931, 1924082137u), Counts(train));
        Assert.Equal((760, 768, 5998, 5650, 494712015u), Counts(valid));
        Assert.Equal((776, 785, 6227, 5833, 2603189190u), Counts(test));
        Assert.Equal(["es", "gibt", "sie", "in", "den", "unterschiedlichsten", "varianten", "."], train[0].Source);
        Assert.Equal([["they", "come", "in", "all", "shapes", "and", "sizes", "."]], train[0].References);
        Assert.Equal(["abdrücken", "verboten", "!"], train[1].Source);
        Assert.Equal(["wollen", "wir", "zusammen", "zu", "abend", "essen", "?"], test[0].Source);
        Assert.Equal([["would", "you", "like", "to", "have", "dinner", "with", "me", "?"]], test[0].References);
        Assert.Equal([["i", "enjoyed", "my", "supper", "."]], valid[0].References);
    }

    [Fact]
    public void Cmudict_rules_alternates_comments_stress_and_rejected_words()
    {
        using var dir = new TestData.TempDirectory();
        Directory.CreateDirectory(dir.File("cmudict"));
        string[] lines =
        [
            ";;; A comment  WITH TWO SPACES", "A  AH0", "ABC  EY1 B IY1 S IY1", "A(1)  EY1", "ABC(12)  AE1 B K",
            "ONE-SPACE X", "D'ARCY  D AA1 R S IY0", "R.  AA1 R", "1ST  F ER1 S T", "lower  L OW1", "A_B  EY1",
            "A(B)  EY1", "ZZ(1)(2)  Z", "TAB\t  T AE1 B", "ÄRGER  EH1 R G ER0", "O  OW1", "B  B IY1", "BA  B AA1", "B(1)  B IY0",
        ];
        File.WriteAllLines(dir.File("cmudict/dict.txt"), lines, Encoding.Latin1);
        var (train, valid, test) = SequenceCorpora.Cmudict(dir.Path);
        // What the reference's load_g2p reads from the same file: alternates join their word (in file order, even
        // after other words), stress digits go, words outside [A-Z][A-Z'.-]* are dropped; crc32 % 20 of "b" is 1,
        // of "o" and "ba" 0.
        Assert.Equal([["a"], ["a", "b", "c"], ["d", "'", "a", "r", "c", "y"], ["r", "."]], train.Select(s => s.Source));
        Assert.Equal([["AH"], ["EY"]], train[0].References);
        Assert.Equal([["EY", "B", "IY", "S", "IY"], ["AE", "B", "K"]], train[1].References);
        Assert.Equal([["D", "AA", "R", "S", "IY"]], train[2].References);
        var b = Assert.Single(valid);
        Assert.Equal([["B", "IY"], ["B", "IY"]], b.References);
        Assert.Equal([["o"], ["b", "a"]], test.Select(s => s.Source));
    }

    [Fact]
    public void De_en_rules_annotations_variants_counts_limits_and_merging()
    {
        using var dir = new TestData.TempDirectory();
        Directory.CreateDirectory(dir.File("de-en"));
        string[] lines =
        [
            "# Guten Tag! :: Good day!",
            "Guten Morgen! {f} | Morgen {m} :: Good morning! | morning",
            "Hallo [ugs.]   Welt. ; Hallo Erde. :: Hello   world. ; Hello earth.",
            "Zwei Teile. | Drei. :: Two parts.",
            "Es ist 2 m² groß. :: It's 2 m² big, isn't it?",
            "Guten Morgen! :: Morning!",
            "kleiner Anfang. :: small start.",
            "Ein Satz ohne Punkt :: A sentence without a full stop",
            "Eins zwei drei vier fünf sechs sieben acht neun zehn elf. :: One two three four five six seven eight nine ten eleven twelve.",
            "Eins zwei drei vier fünf sechs sieben acht neun zehn elf zwölf. :: Too long.",
            "Ohne Trenner. : Without separator.",
            "Öl ist teuer. | Wasser. :: Oil is expensive. | Water.",
            "Nein! {adv} :: No!",
            "Wer? :: Who?",
        ];
        File.WriteAllLines(dir.File("de-en/de-en.txt"), lines, new UTF8Encoding(false));
        var (train, valid, test) = SequenceCorpora.GermanEnglish(dir.Path);
        // What the reference's load_de_en reads from the same file: "Morgen" lacks an end mark, the two "Guten Morgen!"
        // merge, a 12-token German side is kept but a 13-token English one is not; crc32 % 20 of "Wer?" is 1, of "Nein!" 0.
        Assert.Equal([["guten", "morgen", "!"], ["hallo", "welt", "."], ["es", "ist", "2", "m²", "groß", "."], ["öl", "ist", "teuer", "."], ["wasser", "."]],
            train.Select(s => s.Source));
        Assert.Equal([["good", "morning", "!"], ["morning", "!"]], train[0].References);
        Assert.Equal([["hello", "world", "."]], train[1].References);
        Assert.Equal([["it's", "2", "m²", "big", ",", "isn't", "it", "?"]], train[2].References);
        Assert.Equal([["who", "?"]], Assert.Single(valid).References);
        Assert.Equal([["no", "!"]], Assert.Single(test).References);
    }

    [Fact]
    public void Tokens_follow_pythons_word_and_space_rules()
    {
        // The reference's tokenize_words on the same text gives exactly these tokens.
        Assert.Equal(["don't", "stop", "—", "it's", "2½", "m²", "o'clock", "'", "'", "s", "_x_", "a", "'", "'", "'", "b"],
            SequenceCorpora.TokenizeWords("Don't STOP — it's 2½ m² o'clock''s _x_ a'' 'b"));
        // U+001C–U+001F separate like spaces (Python's \s), a character outside the BMP is one token.
        Assert.Equal(["a", "b", "😀", "c"], SequenceCorpora.TokenizeWords("a\u001Fb 😀c\u00A0"));
        Assert.Empty(SequenceCorpora.TokenizeWords(" \t "));
        Assert.Throws<ArgumentNullException>(() => SequenceCorpora.TokenizeWords(null!));
    }

    [Fact]
    public void Missing_folders_and_files_are_named_in_the_error()
    {
        using var dir = new TestData.TempDirectory();
        Assert.Throws<ArgumentException>(() => SequenceCorpora.Cmudict(""));
        Assert.Throws<DirectoryNotFoundException>(() => SequenceCorpora.GermanEnglish(dir.File("missing")));
        var e = Assert.Throws<FileNotFoundException>(() => SequenceCorpora.Cmudict(dir.Path));
        Assert.Contains("cmudict/dict.txt", e.Message);
        e = Assert.Throws<FileNotFoundException>(() => SequenceCorpora.GermanEnglish(dir.Path));
        Assert.Contains("de-en/de-en.txt", e.Message);
    }

    // Items, references, target tokens, source tokens, and the CRC-32 of the lines "source tokens<TAB>reference
    // 1<TAB>reference 2…" (tokens joined by spaces) joined by newlines.
    private static (int, int, int, int, uint) Counts(List<ReferenceSet> items)
    {
        string text = string.Join('\n', items.Select(s => string.Join('\t', s.References.Select(r => string.Join(' ', r)).Prepend(string.Join(' ', s.Source)))));
        return (items.Count, items.Sum(s => s.References.Length), items.Sum(s => s.References.Sum(r => r.Length)),
            items.Sum(s => s.Source.Length), Crc32.HashToUInt32(Encoding.UTF8.GetBytes(text)));
    }
}
