using Microsoft.ML.Recurrent;

namespace Translation;

/// <summary>What the sample was asked to do (from the command line), and how its task reads and shows tokens.</summary>
/// <param name="Task"><c>de-en</c> (sentences, BLEU) or <c>g2p</c> (spelling → phones, WER and PER).</param>
/// <param name="DataDirectory">The shared data folder (<c>de-en/</c>, <c>cmudict/</c>).</param>
/// <param name="DataFile">A user's <c>source&lt;TAB&gt;target</c> file instead of the task's data set, or null.</param>
/// <param name="ModelPath">Where the model is saved and loaded.</param>
/// <param name="Budget">Training time.</param>
/// <param name="Beam">Beam size of decoding (1 = greedy).</param>
/// <param name="CheckpointPath">Checkpoint of training, or null.</param>
/// <param name="Seed">Seed of training.</param>
/// <param name="PredictOnly">Whether to skip training and use the saved model.</param>
public sealed record Settings(string Task, string DataDirectory, string? DataFile, string ModelPath, TimeSpan Budget, int Beam,
    string? CheckpointPath, int Seed, bool PredictOnly)
{
    /// <summary>Whether the task is spelling → pronunciation: sources are characters, and the scores are WER and PER.</summary>
    public bool IsG2p => Task == "g2p";

    /// <summary>Greedy or beam search, as asked.</summary>
    public TranslationDecoding Decoding => new() { BeamSize = Beam };

    /// <summary>The training, validation and test items: the user's file, or the task's data set split as ../shared/data/README.md says.</summary>
    public (List<ReferenceSet> Train, List<ReferenceSet> Valid, List<ReferenceSet> Test) LoadData()
        => DataFile is { } file ? SequenceCorpora.TabSeparated(file, characterSource: IsG2p)
            : IsG2p ? SequenceCorpora.Cmudict(DataDirectory) : SequenceCorpora.GermanEnglish(DataDirectory);

    /// <summary>
    /// The source tokens of a line typed in, read as the training data was: CMUdict's words lower-cased, de-en's
    /// sentences through the data set's tokeniser, a user's file as it is.
    /// </summary>
    public string[] Tokenize(string line) => DataFile is null
        ? IsG2p ? SequenceCorpora.SourceTokens(line.ToLowerInvariant(), characters: true) : SequenceCorpora.TokenizeWords(line)
        : SequenceCorpora.SourceTokens(line, characters: IsG2p);

    /// <summary>How a source reads on the console: a word's letters joined, a sentence's words spaced.</summary>
    public string Show(IEnumerable<string> source) => string.Join(IsG2p ? "" : " ", source);
}
