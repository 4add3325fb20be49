namespace Microsoft.ML.Recurrent.Translation;

/// <summary>
/// The tokens a translator maps to ids. Source: id 0 is the unknown token, the training tokens follow from id 1.
/// Target: the reserved unknown (0), start (1) and end (2) tokens, then the training tokens. Tokens are compared
/// ordinally, as given (the caller tokenises and normalises).
/// </summary>
internal sealed class TranslatorVocabulary
{
    public const int Unknown = 0, Start = 1, End = 2, ReservedCount = 3;
    /// <summary>How an unknown token reads in an output (the model can emit it for a target token training never saw).</summary>
    public const string UnknownSymbol = "<unk>";
    private readonly Dictionary<string, int> _source;
    private readonly Dictionary<string, int> _target;

    public TranslatorVocabulary(IReadOnlyList<string> source, IReadOnlyList<string> target)
    {
        Source = [.. source];
        Target = [.. target];
        _source = Index(Source, "source", 1);
        _target = Index(Target, "target", ReservedCount);
    }

    /// <summary>Source tokens in id order from id 1.</summary>
    public string[] Source { get; }
    /// <summary>Target tokens in id order from id <see cref="ReservedCount"/>.</summary>
    public string[] Target { get; }
    public int SourceCount => Source.Length + 1;
    public int TargetCount => Target.Length + ReservedCount;

    /// <summary>The tokens of the training pairs in first-seen order, each side kept when seen at least <paramref name="minCount"/> times.</summary>
    public static TranslatorVocabulary Build(IEnumerable<(IReadOnlyList<string> Source, IReadOnlyList<string> Target)> pairs, int minCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(minCount);
        var (source, target) = (new Counts(), new Counts());
        foreach (var (s, t) in pairs)
        {
            foreach (var token in s) source.Add(token);
            foreach (var token in t) target.Add(token);
        }
        return new TranslatorVocabulary(source.Kept(minCount), target.Kept(minCount));
    }

    public int SourceId(string token) => _source.GetValueOrDefault(token, Unknown);

    public int TargetId(string token) => _target.GetValueOrDefault(token, Unknown);

    /// <summary>The target token of an id; the unknown token reads <see cref="UnknownSymbol"/>.</summary>
    public string TargetToken(int id) => id >= ReservedCount ? Target[id - ReservedCount] : id == Unknown ? UnknownSymbol
        : throw new ArgumentOutOfRangeException(nameof(id), id, "The start and end tokens are not output tokens.");

    private static Dictionary<string, int> Index(string[] tokens, string side, int first)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < tokens.Length; i++)
        {
            if (string.IsNullOrEmpty(tokens[i])) throw new ArgumentException($"The {side} vocabulary holds an empty token.", nameof(tokens));
            if (!index.TryAdd(tokens[i], i + first)) throw new ArgumentException($"The {side} token '{tokens[i]}' appears twice.", nameof(tokens));
        }
        return index;
    }

    private sealed class Counts
    {
        private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);
        private readonly List<string> _order = [];

        public void Add(string token)
        {
            if (_counts.TryGetValue(token, out int n)) _counts[token] = n + 1;
            else
            {
                _counts[token] = 1;
                _order.Add(token);
            }
        }

        public List<string> Kept(int minCount) => [.. _order.Where(t => _counts[t] >= minCount)];
    }
}
