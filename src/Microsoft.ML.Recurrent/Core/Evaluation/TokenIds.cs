namespace Microsoft.ML.Recurrent.Evaluation;

/// <summary>Numbers tokens 0, 1, 2, … in order of first sight (ordinal comparison), so metrics compare ids instead of strings.</summary>
internal sealed class TokenIds
{
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);

    public int[] Encode(IReadOnlyList<string> tokens)
    {
        var encoded = new int[tokens.Count];
        for (int t = 0; t < encoded.Length; t++)
            if (!_ids.TryGetValue(tokens[t], out encoded[t])) _ids.Add(tokens[t], encoded[t] = _ids.Count);
        return encoded;
    }
}
