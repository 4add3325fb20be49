namespace Microsoft.ML.Recurrent;

/// <summary>How the weights are initialised.</summary>
public enum WeightInitialization
{
    /// <summary>Every parameter uniform in [−InitScale, InitScale] (char-rnn, the PyTorch reference).</summary>
    Uniform,
    /// <summary>Weights normal with standard deviation InitScale, biases zero (min-char-rnn: 0.01).</summary>
    Gaussian,
}
