using Microsoft.ML.Recurrent.Layers;
namespace Microsoft.ML.Recurrent.Captioning;

/// <summary>Architecture of a <see cref="CaptionNetwork"/>.</summary>
internal sealed record CaptionShape(RecurrentCell Cell, int Vocabulary, int Features, int Embedding, int Hidden, int Layers,
    float Dropout, ImageConditioning Conditioning)
{
    public void Validate()
    {
        new StackShape(Cell, Hidden, Layers).Validate();
        const int max = StackShape.MaxWidth;
        if (Vocabulary is < 1 or > max) throw new ArgumentOutOfRangeException(nameof(Vocabulary), Vocabulary, $"Vocabulary size must be in [1, {max}].");
        if (!(Dropout is >= 0f and < 1f)) throw new ArgumentOutOfRangeException(nameof(Dropout), Dropout, "Dropout must be in [0, 1).");
        if (Features < 1 || Features > max || Embedding < 1 || Embedding > max)
            throw new ArgumentOutOfRangeException(nameof(Features), $"Features ({Features}) and embedding ({Embedding}) must be in [1, {max}].");
        if ((Conditioning & ImageConditioning.Both) == 0 || (Conditioning & ~ImageConditioning.Both) != 0)
            throw new ArgumentOutOfRangeException(nameof(Conditioning), Conditioning, "The image must condition every step, the initial state, or both.");
    }
}
