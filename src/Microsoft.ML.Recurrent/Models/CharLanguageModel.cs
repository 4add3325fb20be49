namespace Microsoft.ML.Recurrent;

/// <summary>
/// A character-level recurrent language model: trains on any text, generates with temperature and a
/// priming text, saves and loads. Usable without ML.NET pipelines.
/// </summary>
public sealed partial class CharLanguageModel
{
    /// <summary>Trains a model on <paramref name="text"/>.</summary>
    public static CharLanguageModel Train(string text, CharLanguageModelOptions? options = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
        => throw new NotImplementedException();

    /// <summary>Trains a model on a UTF-8 text file.</summary>
    public static CharLanguageModel TrainFromFile(string path, CharLanguageModelOptions? options = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
        => throw new NotImplementedException();

    /// <summary>
    /// Generates <paramref name="maxLength"/> characters following <paramref name="prime"/> (which is not
    /// repeated in the result). Temperature 0 is greedy (argmax) decoding. The same seed gives the same text.
    /// </summary>
    public string Generate(string prime, int maxLength, float temperature = 1f, int seed = 0)
        => throw new NotImplementedException();

    /// <summary>Average negative log-likelihood (nats per character) of <paramref name="text"/> under the model.</summary>
    public double Evaluate(string text) => throw new NotImplementedException();

    /// <summary>Writes the model to a file (atomically).</summary>
    public void Save(string path) => throw new NotImplementedException();

    /// <summary>Reads a model written by <see cref="Save(string)"/>.</summary>
    public static CharLanguageModel Load(string path) => throw new NotImplementedException();

    /// <summary>The characters the model knows, in index order.</summary>
    public IReadOnlyList<string> Vocabulary => throw new NotImplementedException();

    /// <summary>Recurrent cell.</summary>
    public RecurrentCell Cell => throw new NotImplementedException();

    /// <summary>Hidden units per layer.</summary>
    public int HiddenSize => throw new NotImplementedException();

    /// <summary>Number of recurrent layers.</summary>
    public int Layers => throw new NotImplementedException();

    /// <summary>Number of trainable parameters.</summary>
    public int ParameterCount => throw new NotImplementedException();

    /// <summary>Best validation loss (nats per character) seen in training, if a validation split was used.</summary>
    public double? ValidationLoss => throw new NotImplementedException();
}
