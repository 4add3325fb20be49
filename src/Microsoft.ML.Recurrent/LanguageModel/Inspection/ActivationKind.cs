namespace Microsoft.ML.Recurrent;

/// <summary>What a recorded activation is: a layer's state or one of its cell's gates.</summary>
public enum ActivationKind
{
    /// <summary>The hidden state h_t, the layer's output (every cell).</summary>
    Hidden,
    /// <summary>The LSTM cell state c_t (the memory the 2015 visualization paper coloured text by).</summary>
    Cell,
    /// <summary>The LSTM input gate σ(i).</summary>
    InputGate,
    /// <summary>The LSTM forget gate σ(f).</summary>
    ForgetGate,
    /// <summary>The LSTM output gate σ(o).</summary>
    OutputGate,
    /// <summary>The candidate: LSTM tanh(g), GRU n.</summary>
    Candidate,
    /// <summary>The GRU reset gate r.</summary>
    ResetGate,
    /// <summary>The GRU update gate z.</summary>
    UpdateGate,
}
