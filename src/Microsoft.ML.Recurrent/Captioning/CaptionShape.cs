using Microsoft.ML.Recurrent.Layers;
namespace Microsoft.ML.Recurrent.Captioning;

/// <summary>
/// Architecture of a <see cref="CaptionNetwork"/>. With attention, the Features values are Regions region vectors of
/// Channels values each, channel-major (value c·Regions + r, as a CNN's C×H×W map flattens), scored through an
/// additive attention AttentionWidth wide, its context gated when Gate is set, from the state Query names.
/// </summary>
internal sealed record CaptionShape(RecurrentCell Cell, int Vocabulary, int Features, int Embedding, int Hidden, int Layers,
    float Dropout, ImageConditioning Conditioning, int Regions = 1, int AttentionWidth = 0, bool Gate = false,
    AttentionQuery Query = AttentionQuery.PreviousState)
{
    /// <summary>The shape <paramref name="o"/> asks for, over <paramref name="vocabulary"/> words and <paramref name="features"/> values per image.</summary>
    public static CaptionShape Of(CaptionerOptions o, int vocabulary, int features)
    {
        bool attends = o.Conditioning.HasFlag(ImageConditioning.Attention);
        return new(o.Cell, vocabulary, features, o.EmbeddingSize, o.HiddenSize, o.Layers, o.Dropout, o.Conditioning,
            attends ? o.AttentionRegions : 1, attends ? o.EffectiveAttentionSize : 0, attends && o.AttentionGate,
            attends ? o.AttentionQuery : AttentionQuery.PreviousState);
    }

    public bool Attends => Conditioning.HasFlag(ImageConditioning.Attention);
    /// <summary>Values per region (all the features without attention).</summary>
    public int Channels => Features / Regions;
    /// <summary>Width of the image vector v that the initial state and every-step conditioning read: the features, or with attention the mean region.</summary>
    public int ImageWidth => Attends ? Channels : Features;
    /// <summary>Whether the context feeds the first layer with the word (attention from the previous state).</summary>
    public bool FeedsContext => Attends && Query == AttentionQuery.PreviousState;

    public void Validate()
    {
        new StackShape(Cell, Hidden, Layers).Validate();
        const int max = StackShape.MaxWidth;
        if (Vocabulary is < 1 or > max) throw new ArgumentOutOfRangeException(nameof(Vocabulary), Vocabulary, $"Vocabulary size must be in [1, {max}].");
        if (!(Dropout is >= 0f and < 1f)) throw new ArgumentOutOfRangeException(nameof(Dropout), Dropout, "Dropout must be in [0, 1).");
        if (Features < 1 || Features > max || Embedding < 1 || Embedding > max)
            throw new ArgumentOutOfRangeException(nameof(Features), $"Features ({Features}) and embedding ({Embedding}) must be in [1, {max}].");
        const ImageConditioning known = ImageConditioning.Both | ImageConditioning.Attention;
        const ImageConditioning exclusive = ImageConditioning.Attention | ImageConditioning.EveryStep;
        if (Conditioning == 0 || (Conditioning & ~known) != 0 || (Conditioning & exclusive) == exclusive)
            throw new ArgumentOutOfRangeException(nameof(Conditioning), Conditioning,
                "The image must condition every step, the initial state, or both, or be attended to (alone or with the initial state).");
        if (!Attends)
        {
            if (Regions != 1 || AttentionWidth != 0 || Gate || Query != AttentionQuery.PreviousState)
                throw new ArgumentException("Regions, attention width, gate and query belong to attention conditioning.", nameof(Conditioning));
            return;
        }
        if (Regions < 1 || Features % Regions != 0)
            throw new ArgumentOutOfRangeException(nameof(Regions), Regions, $"The {Features} features must be a whole number of regions (got {Regions} regions).");
        if (!Enum.IsDefined(Query)) throw new ArgumentOutOfRangeException(nameof(Query), Query, "Unknown attention query.");
        if (AttentionWidth is < 1 or > max) throw new ArgumentOutOfRangeException(nameof(AttentionWidth), AttentionWidth, $"The attention width must be in [1, {max}].");
    }
}
