using Microsoft.ML.Recurrent.LanguageModel;
using Microsoft.ML.Recurrent.Layers;
namespace Microsoft.ML.Recurrent.Captioning;

/// <summary>Architecture of a <see cref="CaptionNetwork"/>.</summary>
internal sealed record CaptionShape(RecurrentCell Cell, int Vocabulary, int Features, int Embedding, int Hidden, int Layers,
    float Dropout, ImageConditioning Conditioning)
{
    public void Validate()
    {
        new LanguageModelShape(Cell, Vocabulary, Hidden, Layers, Dropout).Validate();
        if (Features < 1 || Features > LanguageModelShape.MaxWidth || Embedding < 1 || Embedding > LanguageModelShape.MaxWidth)
            throw new ArgumentOutOfRangeException(nameof(Features), $"Features ({Features}) and embedding ({Embedding}) must be in [1, {LanguageModelShape.MaxWidth}].");
        if ((Conditioning & ImageConditioning.Both) == 0 || (Conditioning & ~ImageConditioning.Both) != 0)
            throw new ArgumentOutOfRangeException(nameof(Conditioning), Conditioning, "The image must condition every step, the initial state, or both.");
    }
}
