using System.Text.RegularExpressions;
using Microsoft.ML.Recurrent;

namespace PosTagging;

/// <summary>
/// The POS-tagged Brown corpus (folder <c>brown/</c> of ../shared/data: files <c>c[a-r]NN</c>, one sentence a
/// line, tokens <c>word/tag</c>) split as ../shared/data/README.md says and as the PyTorch reference's
/// <c>load_pos</c> reads it, so that figures compare: files sorted by name, file index i (0-based) with
/// i % 10 == 0 → test, == 1 → validation, else training; a token's tag follows its last '/', lower-cased and
/// kept whole (472 values, e.g. <c>nn-tl</c>, <c>np$</c>); words kept as written.
/// </summary>
public static partial class BrownCorpus
{
    /// <summary>Reads the corpus from <paramref name="folder"/> (the <c>brown</c> folder itself, or a data folder that holds one).</summary>
    /// <exception cref="ArgumentException"><paramref name="folder"/> is null or empty.</exception>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">The folder holds no <c>c[a-r]NN</c> file.</exception>
    /// <exception cref="InvalidDataException">A token has no '/', or an empty word or tag (the file and line are named).</exception>
    public static (IReadOnlyList<TaggedSentence> Train, IReadOnlyList<TaggedSentence> Validation, IReadOnlyList<TaggedSentence> Test) Load(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"The Brown corpus folder '{folder}' does not exist.");
        string brown = Path.Combine(folder, "brown");
        if (Directory.Exists(brown)) folder = brown;
        // Ordinal order, as Python's sorted() on the names.
        var files = Directory.EnumerateFiles(folder).Select(Path.GetFileName).OfType<string>()
            .Where(n => FileName().IsMatch(n)).Order(StringComparer.Ordinal).ToArray();
        if (files.Length == 0) throw new FileNotFoundException($"'{folder}' holds no Brown corpus file (c[a-r]NN, e.g. ca01).");
        List<TaggedSentence> train = [], validation = [], test = [];
        for (int i = 0; i < files.Length; i++)
        {
            var part = (i % 10) switch { 0 => test, 1 => validation, _ => train };
            part.AddRange(ReadFile(Path.Combine(folder, files[i])));
        }
        return (train, validation, test);
    }

    private static IEnumerable<TaggedSentence> ReadFile(string path)
    {
        int number = 0;
        foreach (string line in File.ReadLines(path, System.Text.Encoding.UTF8))
        {
            number++;
            // Split on any whitespace and skip blank lines, as Python's str.split() in the reference.
            string[] tokens = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (tokens.Length == 0) continue;
            var words = new string[tokens.Length];
            var tags = new string[tokens.Length];
            for (int t = 0; t < tokens.Length; t++)
            {
                int slash = tokens[t].LastIndexOf('/');
                if (slash <= 0 || slash == tokens[t].Length - 1)
                    throw new InvalidDataException($"{path}:{number}: token '{tokens[t]}' is not word/tag.");
                words[t] = tokens[t][..slash];
                tags[t] = tokens[t][(slash + 1)..].ToLowerInvariant();
            }
            yield return new TaggedSentence(words, tags);
        }
    }

    [GeneratedRegex(@"^c[a-r][0-9][0-9]$", RegexOptions.CultureInvariant)]
    private static partial Regex FileName();
}
