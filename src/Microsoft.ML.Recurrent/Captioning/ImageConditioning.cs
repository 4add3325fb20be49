namespace Microsoft.ML.Recurrent;

/// <summary>How image features enter a captioning network (flags: some may be used together).</summary>
[Flags]
public enum ImageConditioning
{
    /// <summary>Every step: h = cell(Wxh·x + Whh·h + Wih·v), the image projection added to the first layer's input pre-activations.</summary>
    EveryStep = 1,
    /// <summary>The initial state: h0 = tanh(Winit·v + b) for every layer (LSTM cells start at zero).</summary>
    InitialState = 2,
    /// <summary>Both of the above.</summary>
    Both = EveryStep | InitialState,
    /// <summary>
    /// Spatial attention ("Show, Attend and Tell", Xu et al. 2015): the features are a grid of
    /// <see cref="CaptionerOptions.AttentionRegions"/> region vectors, and every word is generated from a context
    /// z = β·Σ α_r a_r, the regions weighted by additive attention from a decoder state (β an optional learned gate):
    /// by default the previous output, the context fed into the first layer with the previous word and into the output
    /// layer; with <see cref="CaptionerOptions.AttentionQuery"/> = <see cref="AttentionQuery.CurrentState"/>, this step's
    /// output, the context into the output layer only. Not combined with
    /// <see cref="EveryStep"/>; with <see cref="InitialState"/>, v is the mean of the regions.
    /// </summary>
    Attention = 4,
    /// <summary>Attention, and the initial state from the mean of the regions (the paper's initialisation).</summary>
    AttentionWithInitialState = Attention | InitialState,
}
