namespace Microsoft.ML.Recurrent;

/// <summary>The recurrent cell a layer uses.</summary>
public enum RecurrentCell
{
    /// <summary>Vanilla (Elman) RNN: h = tanh(x·Wx + h·Wh + b).</summary>
    Rnn,
    /// <summary>Long short-term memory with input, forget, output gates and a candidate (i, f, o, g).</summary>
    Lstm,
    /// <summary>Gated recurrent unit (reset, update, candidate; PyTorch / ONNX linear_before_reset form).</summary>
    Gru,
}
