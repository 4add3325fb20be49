namespace Microsoft.ML.Recurrent;

/// <summary>How image features enter a captioning network (flags: both may be used together).</summary>
[Flags]
public enum ImageConditioning
{
    /// <summary>Every step: h = cell(Wxh·x + Whh·h + Wih·v), the image projection added to the first layer's input pre-activations.</summary>
    EveryStep = 1,
    /// <summary>The initial state: h0 = tanh(Winit·v + b) for every layer (LSTM cells start at zero).</summary>
    InitialState = 2,
    /// <summary>Both of the above.</summary>
    Both = EveryStep | InitialState,
}
