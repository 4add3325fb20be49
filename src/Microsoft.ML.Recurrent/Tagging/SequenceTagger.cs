using Microsoft.ML.Recurrent.Tagging;

namespace Microsoft.ML.Recurrent;

/// <summary>
/// A recurrent sequence tagger: a label for every token of a sentence (part-of-speech tags, BIO entity tags, chunks).
/// Words (lower-cased) and their characters — so a word never seen in training still gets features from its
/// spelling — feed a bidirectional recurrent stack and a per-token softmax (or a linear-chain CRF). Train it with
/// <see cref="Train(IEnumerable{TaggedSentence}, SequenceTaggerOptions?, IEnumerable{TaggedSentence}?, IProgress{TrainingProgress}?, CancellationToken)"/>,
/// tag with <see cref="Tag(IReadOnlyList{string})"/>, save with <c>Save</c>; in an ML.NET pipeline use
/// <c>mlContext.MulticlassClassification.Trainers.RecurrentTagger</c>.
/// </summary>
public sealed partial class SequenceTagger
{
    /// <summary>Sentences per batch when tagging many at once.</summary>
    private const int TagBatch = 64;

    private readonly TaggerVocabulary _vocabulary;
    private HashSet<string>? _knownLowercase;

    private SequenceTagger(SequenceTaggerNetwork network, TaggerVocabulary vocabulary, SequenceTaggerOptions options)
    {
        Network = network;
        _vocabulary = vocabulary;
        Options = options;
    }

    internal SequenceTaggerNetwork Network { get; }
    internal TaggerVocabulary Vocabulary => _vocabulary;

    /// <summary>The settings the tagger was built with (training-only ones as they were when it was trained or loaded).</summary>
    public SequenceTaggerOptions Options { get; }

    /// <summary>The labels it assigns, in score order.</summary>
    public IReadOnlyList<string> Labels => _vocabulary.Labels;

    /// <summary>
    /// Trains a tagger on <paramref name="training"/>. Its words, characters and labels become the model's vocabulary:
    /// a word never seen is read as the unknown word (with its own characters), a character never seen as the unknown
    /// character; a label never seen in training cannot be predicted.
    /// </summary>
    /// <param name="training">The training sentences (at least two distinct labels among them).</param>
    /// <param name="options">Architecture and training settings (the defaults when null).</param>
    /// <param name="validation">Sentences validated on at every evaluation (keep-best, early stopping); null holds out
    /// <see cref="RecurrentTrainerOptions.ValidationFraction"/> of <paramref name="training"/> instead.</param>
    /// <param name="progress">Receives progress reports (epoch, losses, validation accuracy, throughput, time left).</param>
    /// <param name="cancellationToken">Cancels training (an <see cref="OperationCanceledException"/>; the last checkpoint stays).</param>
    /// <exception cref="ArgumentException">A sentence is empty, or the training set has fewer than two labels. (A
    /// validation token whose label the training set lacks counts as wrong.)</exception>
    public static SequenceTagger Train(IEnumerable<TaggedSentence> training, SequenceTaggerOptions? options = null,
        IEnumerable<TaggedSentence>? validation = null, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
        => Train(training, options, validation, progress, log: null, cancellationToken);

    internal static SequenceTagger Train(IEnumerable<TaggedSentence> training, SequenceTaggerOptions? options, IEnumerable<TaggedSentence>? validation,
        IProgress<TrainingProgress>? progress, Action<string>? log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(training);
        options ??= new SequenceTaggerOptions();
        options.Validate();
        var sentences = training.ToList();
        if (sentences.Any(s => s is null)) throw new ArgumentException("A training sentence is null.", nameof(training));
        var vocabulary = TaggerVocabulary.Build(sentences, options.LowercaseWords, options.MinWordCount);
        RequireTwoLabels(vocabulary.Labels, "sentences", nameof(training));
        bool characters = options.CharacterEmbeddingSize > 0;
        var data = TaggingDataset.FromSentences(sentences, vocabulary, characters);
        var held = validation == null ? null : TaggingDataset.FromSentences(validation.ToList(), vocabulary, characters, allowUnknownLabels: true);
        var network = new SequenceTaggerNetwork(Shape(options, vocabulary));
        SequenceTaggerTrainer.Train(network, data, held, options, progress, log, cancellationToken);
        return new SequenceTagger(network, vocabulary, options);
    }

    /// <summary>
    /// Trains a tagger of numeric sequences — a label for every step, e.g. a class per sensor reading or per frame —
    /// each sequence a flat array of <paramref name="stepWidth"/> values per step, with one label per step.
    /// <see cref="RecurrentTrainerOptions.ValidationFraction"/> of the sequences is held out for validation; the word
    /// and character options do not apply. Tag with <see cref="Tag(float[])"/>.
    /// </summary>
    /// <param name="sequences">The training sequences, each holding whole steps of finite values.</param>
    /// <param name="stepWidth">Values per step.</param>
    /// <param name="labels">One label per step of each sequence (at least two distinct labels in all).</param>
    /// <param name="options">Architecture and training settings (the defaults when null).</param>
    /// <param name="progress">Receives progress reports.</param>
    /// <param name="cancellationToken">Cancels training.</param>
    /// <exception cref="ArgumentException">A sequence is empty, holds a NaN or infinite value or a partial step, its
    /// labels differ in number from its steps, or there are fewer than two labels.</exception>
    public static SequenceTagger TrainOnSteps(IReadOnlyList<float[]> sequences, int stepWidth, IReadOnlyList<IReadOnlyList<string>> labels,
        SequenceTaggerOptions? options = null, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
        => TrainOnSteps(sequences, stepWidth, labels, options, progress, log: null, cancellationToken);

    internal static SequenceTagger TrainOnSteps(IReadOnlyList<float[]> sequences, int stepWidth, IReadOnlyList<IReadOnlyList<string>> labels,
        SequenceTaggerOptions? options, IProgress<TrainingProgress>? progress, Action<string>? log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        ArgumentNullException.ThrowIfNull(labels);
        if (stepWidth is < 1 or > Layers.StackShape.MaxWidth)
            throw new ArgumentOutOfRangeException(nameof(stepWidth), stepWidth, $"The step width must be in [1, {Layers.StackShape.MaxWidth}].");
        options ??= new SequenceTaggerOptions();
        options.Validate();
        if (labels.Count != sequences.Count) throw new ArgumentException($"Need one label list per sequence: {sequences.Count} sequences, {labels.Count} label lists.", nameof(labels));
        var names = labels.SelectMany(l => l ?? throw new ArgumentException("A label list is null.", nameof(labels))).Distinct(StringComparer.Ordinal).ToArray();
        var vocabulary = new TaggerVocabulary([], [], names, lowercase: false);
        RequireTwoLabels(names, "sequences", nameof(labels));
        var ids = labels.Select(l => l.Select(vocabulary.LabelId).ToArray()).ToArray();
        var data = TaggingDataset.FromSteps([.. sequences.Select(q => q ?? throw new ArgumentException("A sequence is null.", nameof(sequences)))], stepWidth, ids, names.Length);
        var network = new SequenceTaggerNetwork(Shape(options, vocabulary, stepWidth));
        SequenceTaggerTrainer.Train(network, data, null, options, progress, log, cancellationToken);
        return new SequenceTagger(network, vocabulary, options);
    }

    /// <summary>Whether the tagger reads float steps (<see cref="TrainOnSteps(IReadOnlyList{float[]}, int, IReadOnlyList{IReadOnlyList{string}}, SequenceTaggerOptions?, IProgress{TrainingProgress}?, CancellationToken)"/>) rather than words.</summary>
    public bool ReadsSteps => !Network.Shape.WordInput;

    /// <summary>Values per step a step tagger reads (0 for a word tagger).</summary>
    public int StepWidth => ReadsSteps ? Network.Shape.InputWidth : 0;

    /// <summary>The labels of the steps of <paramref name="steps"/> (<see cref="StepWidth"/> values each), for a tagger of numeric sequences.</summary>
    /// <exception cref="InvalidOperationException">The tagger reads words.</exception>
    /// <exception cref="ArgumentException">The values are not whole steps, or one is NaN or infinite.</exception>
    public string[] Tag(float[] steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        if (!ReadsSteps) throw new InvalidOperationException("This tagger reads words; tag tokens with Tag(IReadOnlyList<string>).");
        if (steps.Length == 0) return [];
        var data = TaggingDataset.FromSteps([steps], StepWidth, [new int[steps.Length / StepWidth]], Labels.Count);
        return [.. Decode(data)[0].Select(id => _vocabulary.Labels[id])];
    }

    /// <summary>The labels of <paramref name="tokens"/>, one per token (none for an empty sentence).</summary>
    /// <exception cref="ArgumentException">A token is null or empty.</exception>
    /// <exception cref="InvalidOperationException">The tagger reads float steps.</exception>
    public string[] Tag(IReadOnlyList<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        return Tag([tokens])[0];
    }

    /// <summary>The labels of many sentences, tagged in batches of similar length (faster than one by one), in their order.</summary>
    /// <exception cref="ArgumentException">A sentence or token is null, or a token is empty.</exception>
    public IReadOnlyList<string[]> Tag(IEnumerable<IReadOnlyList<string>> sentences)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        if (ReadsSteps) throw new InvalidOperationException("This tagger reads float steps; tag them with Tag(float[]).");
        var list = sentences.ToList();
        var result = new string[list.Count][];
        var indices = new List<int>();
        for (int i = 0; i < list.Count; i++)
        {
            var tokens = list[i] ?? throw new ArgumentException($"Sentence {i} is null.", nameof(sentences));
            for (int t = 0; t < tokens.Count; t++)
                if (string.IsNullOrEmpty(tokens[t])) throw new ArgumentException($"Token {t} of sentence {i} is null or empty.", nameof(sentences));
            if (tokens.Count == 0) result[i] = [];
            else indices.Add(i);
        }
        var predicted = PredictIds([.. indices.Select(i => list[i])]);
        for (int k = 0; k < indices.Count; k++) result[indices[k]] = [.. predicted[k].Select(id => _vocabulary.Labels[id])];
        return result;
    }

    /// <summary>
    /// Tags <paramref name="sentences"/> and compares with their labels: token and sentence accuracy, accuracy on
    /// tokens whose lower-cased form is not among the model's (lower-cased) words — the words never seen in training,
    /// plus those dropped by <see cref="SequenceTaggerOptions.MinWordCount"/> — per-label precision, recall and F1,
    /// the confusion counts, and entity scores when the labels are BIO/IOB/IOBES tags.
    /// </summary>
    /// <exception cref="ArgumentException">A sentence is null, or there is no token at all.</exception>
    /// <exception cref="InvalidOperationException">The tagger reads float steps.</exception>
    public TaggingMetrics Evaluate(IEnumerable<TaggedSentence> sentences)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        var gold = sentences.ToList();
        if (gold.Any(s => s is null)) throw new ArgumentException("A sentence is null.", nameof(sentences));
        var predicted = Tag(gold.Select(s => s.Tokens));
        _knownLowercase ??= new HashSet<string>(_vocabulary.Words.Select(w => w.ToLowerInvariant()), StringComparer.Ordinal);
        var known = _knownLowercase;
        return TaggingEvaluator.Evaluate(gold.Select((s, i) => (s.Tokens, s.Labels, (IReadOnlyList<string>)predicted[i])), known.Contains);
    }

    // Label ids of non-empty sentences, in their order.
    private int[][] PredictIds(IReadOnlyList<IReadOnlyList<string>> sentences)
    {
        var placeholder = _vocabulary.Labels[0];
        var tagged = sentences.Select(s => new TaggedSentence(s, [.. Enumerable.Repeat(placeholder, s.Count)])).ToList();
        return Decode(TaggingDataset.FromSentences(tagged, _vocabulary, Network.Shape.CharacterFeatures));
    }

    // The decoded label ids of every sequence of data, in batches of similar length.
    private int[][] Decode(TaggingDataset data)
    {
        var batcher = new TaggerBatcher(Network, data);
        var result = new int[data.Count][];
        var order = Enumerable.Range(0, data.Count).OrderBy(data.Length).ToArray();
        for (int start = 0; start < order.Length; start += TagBatch)
        {
            var rows = order.AsSpan(start, Math.Min(TagBatch, order.Length - start));
            var ws = batcher.Forward(rows, null);
            Network.Decode(ws, ws.Best);
            for (int b = 0; b < rows.Length; b++)
            {
                var ids = result[rows[b]] = new int[data.Length(rows[b])];
                for (int t = 0; t < ids.Length; t++) ids[t] = ws.Best[t * rows.Length + b];
            }
        }
        return result;
    }

    private static void RequireTwoLabels(string[] labels, string what, string parameter)
    {
        if (labels.Length < 2)
            throw new ArgumentException($"The training {what} have {(labels.Length == 0 ? "no labels" : $"a single label ('{labels[0]}')")}; a tagger needs at least two labels to tell apart.", parameter);
    }

    // stepWidth 0: words (embedded in EmbeddingSize values, with their characters); else float steps of that many values.
    private static TaggerShape Shape(SequenceTaggerOptions o, TaggerVocabulary vocabulary, int stepWidth = 0) => new(o.Cell,
        stepWidth == 0 ? vocabulary.WordCount : 0, stepWidth == 0 ? o.EmbeddingSize : stepWidth,
        stepWidth == 0 && o.CharacterEmbeddingSize > 0 ? vocabulary.CharacterCount : 0, Math.Max(o.CharacterEmbeddingSize, 1), o.CharacterHiddenSize, o.HiddenSize,
        o.Layers, o.Bidirectional, vocabulary.Labels.Length, o.UseCrf, o.Dropout, o.EmbeddingDropout);
}
