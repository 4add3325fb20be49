namespace Microsoft.ML.Recurrent;

/// <summary>The gradient-descent rule used to update the parameters.</summary>
public enum OptimizerKind
{
    /// <summary>Adam (Kingma &amp; Ba), β1 0.9, β2 0.999, ε 1e-8.</summary>
    Adam,
    /// <summary>Adagrad (as in min-char-rnn), ε 1e-8.</summary>
    Adagrad,
    /// <summary>RMSprop (as in char-rnn), decay 0.95, ε 1e-8.</summary>
    RmsProp,
    /// <summary>Plain stochastic gradient descent.</summary>
    Sgd,
}
