namespace Microsoft.ML.Recurrent.Layers;

/// <summary>
/// All trainable parameters of a model in one contiguous buffer, with a gradient buffer of the same
/// layout (as llm.c does): optimizers, clipping and checkpoints work on the whole arrays at once.
/// Layers declare their tensors while the model is built; <see cref="Seal"/> then allocates.
/// </summary>
internal sealed class ParameterStore
{
    private readonly List<Parameter> _parameters = [];
    private float[]? _values;
    private float[]? _gradients;

    /// <summary>Declares a [rows, cols] tensor; its storage exists after <see cref="Seal"/>.</summary>
    public Parameter Declare(string name, int rows, int cols, bool isBias = false)
    {
        if (_values != null) throw new InvalidOperationException("The parameter store is sealed.");
        long length = (long)rows * cols;
        long offset = _parameters.Count == 0 ? 0 : _parameters[^1].Offset + _parameters[^1].Length;
        if (rows <= 0 || cols <= 0 || offset + length > Array.MaxLength)
            throw new ArgumentOutOfRangeException(name, $"Parameter '{name}' of shape [{rows}, {cols}] is empty or too large.");
        var p = new Parameter(this, name, (int)offset, rows, cols, isBias);
        _parameters.Add(p);
        return p;
    }

    /// <summary>
    /// Allocates the gradient buffer and, unless <paramref name="sharedValues"/> is given, the (zeroed) value
    /// buffer. Sharing the values of another store of the same layout gives a replica that reads the same
    /// weights but accumulates its own gradients (one per thread in data-parallel training).
    /// </summary>
    public void Seal(float[]? sharedValues = null)
    {
        int total = _parameters.Count == 0 ? 0 : _parameters[^1].Offset + _parameters[^1].Length;
        if (sharedValues != null && sharedValues.Length != total)
            throw new ArgumentException($"Shared values hold {sharedValues.Length} weights; this layout needs {total}.", nameof(sharedValues));
        _values = sharedValues ?? new float[total];
        _gradients = new float[total];
    }

    /// <summary>All parameter values, in declaration order.</summary>
    public float[] Values => _values ?? throw new InvalidOperationException("The parameter store is not sealed yet.");

    /// <summary>All gradients, in the layout of <see cref="Values"/>.</summary>
    public float[] Gradients => _gradients ?? throw new InvalidOperationException("The parameter store is not sealed yet.");

    /// <summary>The declared tensors.</summary>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>Total number of scalars.</summary>
    public int Count => Values.Length;

    /// <summary>Zeroes every gradient.</summary>
    public void ZeroGradients() => Array.Clear(Gradients);
}

/// <summary>A named [Rows, Cols] slice of a <see cref="ParameterStore"/>.</summary>
internal sealed class Parameter(ParameterStore store, string name, int offset, int rows, int cols, bool isBias)
{
    public string Name { get; } = name;
    public int Offset { get; } = offset;
    public int Rows { get; } = rows;
    public int Cols { get; } = cols;
    public int Length => Rows * Cols;
    /// <summary>Biases are initialised to zero under the Gaussian (min-char-rnn) initialisation.</summary>
    public bool IsBias { get; } = isBias;
    public Span<float> Value => store.Values.AsSpan(Offset, Length);
    public Span<float> Gradient => store.Gradients.AsSpan(Offset, Length);
}
