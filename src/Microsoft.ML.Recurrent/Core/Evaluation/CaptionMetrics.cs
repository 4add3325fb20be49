namespace Microsoft.ML.Recurrent;

/// <summary>Corpus-level caption scores: cumulative BLEU-1…4 (with brevity penalty) and CIDEr-D.</summary>
/// <param name="Bleu1">BLEU with unigrams.</param>
/// <param name="Bleu2">BLEU with up to bigrams.</param>
/// <param name="Bleu3">BLEU with up to trigrams.</param>
/// <param name="Bleu4">BLEU with up to 4-grams.</param>
/// <param name="Cider">CIDEr-D (×10, as in the COCO caption evaluation).</param>
public sealed record CaptionMetrics(double Bleu1, double Bleu2, double Bleu3, double Bleu4, double Cider);
