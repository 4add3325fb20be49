using Microsoft.ML.Recurrent;

namespace PosTagging;

/// <summary>A sentence as the pipeline reads it: its tokens and (for training and evaluation) one label per token.</summary>
public sealed class SentenceRow
{
    public string[] Tokens { get; set; } = [];
    public string[] Labels { get; set; } = [];

    public static SentenceRow From(TaggedSentence s) => new() { Tokens = [.. s.Tokens], Labels = [.. s.Labels] };
}

/// <summary>What the saved model adds to a row: the predicted label of every token.</summary>
public sealed class TaggedRow
{
    public string[] PredictedTags { get; set; } = [];
}

/// <summary>Where the sentences come from: the Brown corpus folder, or a CoNLL-style file.</summary>
public static class TaggingData
{
    /// <summary>
    /// The Brown corpus split as ../shared/data/README.md says, or a CoNLL-style file (<c>token&lt;TAB&gt;label</c> lines, a
    /// blank line between sentences) whose every 10th sentence is the test set and every 10th after it the validation set.
    /// </summary>
    public static (IReadOnlyList<TaggedSentence> Train, IReadOnlyList<TaggedSentence> Validation, IReadOnlyList<TaggedSentence> Test) Load(string path)
    {
        if (Directory.Exists(path)) return BrownCorpus.Load(path);
        var all = TaggedCorpus.ReadConll(path);
        if (all.Count < 10) throw new InvalidDataException($"'{path}' holds {all.Count} sentences; at least 10 are needed to hold some out for testing.");
        return ([.. all.Where((_, i) => i % 10 > 1)], [.. all.Where((_, i) => i % 10 == 1)], [.. all.Where((_, i) => i % 10 == 0)]);
    }
}
