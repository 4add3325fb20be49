namespace Translation;

/// <summary>The few held-out items the sample translates and shows next to their references.</summary>
public static class HeldOut
{
    private const int Count = 8;

    /// <summary>Eight items spread over <paramref name="items"/> (all when there are fewer).</summary>
    public static List<ReferenceSet> Pick(IReadOnlyList<ReferenceSet> items)
    {
        int n = Math.Min(Count, items.Count);
        return [.. Enumerable.Range(0, n).Select(i => items[i * items.Count / n])];
    }

    /// <summary>Prints each source, the model's output and the references, one item per block.</summary>
    public static void Print(IReadOnlyList<ReferenceSet> items, IReadOnlyList<string[]> outputs, Settings settings)
    {
        for (int i = 0; i < items.Count; i++)
        {
            Console.WriteLine($"  source:    {settings.Show(items[i].Source)}");
            Console.WriteLine($"  model:     {string.Join(' ', outputs[i])}");
            foreach (var reference in items[i].References) Console.WriteLine($"  reference: {string.Join(' ', reference)}");
            Console.WriteLine();
        }
    }
}
