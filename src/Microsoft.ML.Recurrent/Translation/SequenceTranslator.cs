using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Numerics;
using Microsoft.ML.Recurrent.Translation;

namespace Microsoft.ML.Recurrent;

/// <summary>
/// A sequence-to-sequence translator: an encoder–decoder with attention that turns one token sequence into another —
/// spelling into pronunciation, a sentence into its translation, text into its normalised form. Train it with
/// <see cref="Train(IEnumerable{SequencePair}, SequenceTranslatorOptions?, IEnumerable{SequencePair}?, IProgress{TrainingProgress}?, CancellationToken)"/>
/// on already tokenised pairs, generate with <see cref="Translate(IReadOnlyList{string}, TranslationDecoding?)"/>, save
/// with <c>Save</c>. Tokens are compared as given; a source token never seen in training reads as the unknown token,
/// and the model may output the unknown token, written <c>&lt;unk&gt;</c>, where training targets held tokens it
/// did not keep (<see cref="SequenceTranslatorOptions.MinTokenCount"/>).
/// </summary>
public sealed partial class SequenceTranslator
{
    private readonly TranslatorVocabulary _vocabulary;

    private SequenceTranslator(TranslatorNetwork network, TranslatorVocabulary vocabulary, SequenceTranslatorOptions options)
    {
        Network = network;
        _vocabulary = vocabulary;
        Options = options;
    }

    internal TranslatorNetwork Network { get; }
    internal TranslatorVocabulary Vocabulary => _vocabulary;

    /// <summary>The settings the translator was built with (training-only ones as they were when it was trained or loaded).</summary>
    public SequenceTranslatorOptions Options { get; }

    /// <summary>The source tokens it knows, in id order (the unknown token, id 0, not included).</summary>
    public IReadOnlyList<string> SourceTokens => _vocabulary.Source;

    /// <summary>The target tokens it can output, in id order (the reserved tokens not included).</summary>
    public IReadOnlyList<string> TargetTokens => _vocabulary.Target;

    /// <summary>Trains a translator on <paramref name="training"/>, whose tokens become the model's vocabularies.</summary>
    /// <param name="training">The training pairs; neither side may be empty or longer than the options' limits.</param>
    /// <param name="options">Architecture and training settings (the defaults when null).</param>
    /// <param name="validation">Pairs validated on at every evaluation (keep-best, early stopping); null holds out
    /// <see cref="RecurrentTrainerOptions.ValidationFraction"/> of <paramref name="training"/> instead.</param>
    /// <param name="progress">Receives progress reports (epoch, losses, validation next-token accuracy, throughput in target tokens, time left).</param>
    /// <param name="cancellationToken">Cancels training (an <see cref="OperationCanceledException"/>; the last checkpoint stays).</param>
    /// <exception cref="ArgumentException">A pair is null, or a side is empty, too long, or holds a null or empty token.</exception>
    public static SequenceTranslator Train(IEnumerable<SequencePair> training, SequenceTranslatorOptions? options = null,
        IEnumerable<SequencePair>? validation = null, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
        => Train(training, options, validation, progress, log: null, cancellationToken);

    internal static SequenceTranslator Train(IEnumerable<SequencePair> training, SequenceTranslatorOptions? options, IEnumerable<SequencePair>? validation,
        IProgress<TrainingProgress>? progress, Action<string>? log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(training);
        options ??= new SequenceTranslatorOptions();
        options.Validate();
        var pairs = training.ToList();
        var data = TranslationDataset.FromPairs(pairs, null, options, nameof(training)); // validates before the vocabulary is built
        var vocabulary = TranslatorVocabulary.Build(pairs.Select(p => (p.Source, p.Target)), options.MinTokenCount);
        data = TranslationDataset.FromPairs(pairs, vocabulary, options, nameof(training));
        var held = validation == null ? null : TranslationDataset.FromPairs(validation.ToList(), vocabulary, options, nameof(validation));
        var network = new TranslatorNetwork(Shape(options, vocabulary));
        SequenceTranslatorTrainer.Train(network, data, held, options, progress, log, cancellationToken);
        return new SequenceTranslator(network, vocabulary, options);
    }

    /// <summary>The output tokens for one <paramref name="source"/>.</summary>
    /// <param name="source">The source tokens (at least one, at most <see cref="SequenceTranslatorOptions.MaxSourceLength"/>).</param>
    /// <param name="decoding">Greedy (the default), sampling or beam search, and the output length limit.</param>
    public string[] Translate(IReadOnlyList<string> source, TranslationDecoding? decoding = null) => Translate([source], decoding)[0];

    /// <summary>
    /// The output tokens for each of <paramref name="sources"/>, in order: greedy decoding runs them in batches, beam
    /// search and sampling one by one on every core. The same sources give the same outputs however they are grouped.
    /// </summary>
    public IReadOnlyList<string[]> Translate(IEnumerable<IReadOnlyList<string>> sources, TranslationDecoding? decoding = null)
    {
        ArgumentNullException.ThrowIfNull(sources);
        decoding ??= TranslationDecoding.Greedy;
        decoding.Validate();
        var ids = sources.Select((s, i) =>
        {
            TranslationDataset.Check(s, i, "source", Options.MaxSourceLength, nameof(Options.MaxSourceLength), nameof(sources));
            return s.Select(_vocabulary.SourceId).ToArray();
        }).ToArray();
        int[][] outputs;
        if (decoding.BeamSize == 1 && decoding.Temperature == 0) outputs = new TranslatorSearch(Network).GreedyInBatches(ids, decoding);
        else
        {
            outputs = new int[ids.Length][];
            Parallel.For(0, ids.Length, new ParallelOptions { MaxDegreeOfParallelism = KernelSettings.Threads }, () => new TranslatorSearch(Network), (i, _, search) =>
            {
                using (KernelSettings.Override(maxThreads: 1)) outputs[i] = search.Search(ids[i], decoding);
                return search;
            }, _ => { });
        }
        return [.. outputs.Select(o => o.Select(_vocabulary.TargetToken).ToArray())];
    }

    /// <summary>
    /// Translates the sources of <paramref name="pairs"/> and scores the outputs against their targets: corpus BLEU,
    /// the sequence error rate (outputs equal to no reference), the token error rate (edit distance to the closest
    /// reference) and exact match. Pairs with the same source are one item whose targets are all references (a word's
    /// alternative pronunciations, a sentence's several translations).
    /// </summary>
    /// <param name="pairs">The evaluation pairs (at least one).</param>
    /// <param name="decoding">How outputs are generated (greedy when null).</param>
    public TranslationMetrics Evaluate(IEnumerable<SequencePair> pairs, TranslationDecoding? decoding = null)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var items = new List<(IReadOnlyList<string> Source, List<IReadOnlyList<string>> References)>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        int n = 0;
        foreach (var pair in pairs)
        {
            if (pair is null) throw new ArgumentException($"Pair {n} is null.", nameof(pairs));
            TranslationDataset.Check(pair.Source, n, "source", Options.MaxSourceLength, nameof(Options.MaxSourceLength), nameof(pairs));
            TranslationDataset.Check(pair.Target, n, "target", int.MaxValue, "", nameof(pairs));
            string key = string.Join('\u0001', pair.Source); // tokens hold no control characters a tokeniser emits
            if (index.TryGetValue(key, out int i)) items[i].References.Add(pair.Target);
            else
            {
                index[key] = items.Count;
                items.Add((pair.Source, [pair.Target]));
            }
            n++;
        }
        if (items.Count == 0) throw new ArgumentException("There are no pairs to evaluate.", nameof(pairs));
        var outputs = Translate(items.Select(i => i.Source), decoding);
        return TranslationEvaluator.Evaluate(outputs, [.. items.Select(i => (IReadOnlyList<IReadOnlyList<string>>)i.References)]);
    }

    internal static TranslatorShape Shape(SequenceTranslatorOptions o, TranslatorVocabulary vocabulary)
        => new(new StackShape(o.Cell, o.HiddenSize, o.Layers, o.Bidirectional), new StackShape(o.Cell, o.HiddenSize, o.Layers),
            vocabulary.SourceCount, vocabulary.TargetCount, o.SourceEmbeddingSize, o.TargetEmbeddingSize, o.Attention, o.InputFeeding,
            o.EffectiveAttentionSize, o.TieEmbeddings, o.Dropout);
}
