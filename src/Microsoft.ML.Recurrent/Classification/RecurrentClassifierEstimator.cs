using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Classification;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Recurrent;

/// <summary>
/// Trains a recurrent sequence classifier (binary or multiclass) on a sequence column of keys or floats. Create it
/// with <see cref="RecurrentClassificationCatalog"/>'s <c>Recurrent</c> methods on
/// <c>mlContext.BinaryClassification.Trainers</c> or <c>mlContext.MulticlassClassification.Trainers</c>.
/// </summary>
/// <remarks>
/// Training is deterministic for a given <see cref="RecurrentTrainerOptions.Seed"/> (or, when it is null, the MLContext's seed). Epoch reports go to
/// <see cref="MLContext.Log"/> (source <c>RecurrentClassifier</c>) when the catalog's context can be reached.
/// A training set holding a single class is an error, as is a multiclass label outside its key range (a missing
/// key) and a float sequence with NaN or infinite values.
/// </remarks>
public sealed class RecurrentClassifierEstimator : IEstimator<RecurrentClassifierTransformer>
{
    private readonly IHostEnvironment? _environment;
    private readonly RecurrentClassifierOptions _options;
    private readonly bool _binary;

    internal RecurrentClassifierEstimator(IHostEnvironment? environment, RecurrentClassifierOptions options, bool binary)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.LabelColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.FeatureColumnName);
        options.Validate();
        _environment = environment;
        _options = options;
        _binary = binary;
    }

    /// <summary>
    /// The input schema plus the columns the fitted transformer adds, with their annotations: binary <c>Score</c>,
    /// <c>Probability</c> (Single) and <c>PredictedLabel</c> (Boolean); multiclass <c>Score</c> (a vector of Single, one
    /// slot per class) and <c>PredictedLabel</c> (a key over the label's classes with text key values, so
    /// <c>MapKeyToValue("PredictedLabel")</c> can follow in the same chain).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The label or feature column is missing.</exception>
    /// <exception cref="InvalidOperationException">The label column has the wrong type for the task.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        SchemaColumns.Find(inputSchema, _options.FeatureColumnName);
        var label = SchemaColumns.Find(inputSchema, _options.LabelColumnName);
        return ClassifierColumns.OutputSchema(inputSchema, label, _binary);
    }

    /// <summary>Reads the sequences and labels, trains the network, and wraps it as a transformer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The label or feature column is missing.</exception>
    /// <exception cref="InvalidOperationException">A column has the wrong type, a label or value is invalid, or the
    /// training set holds fewer than two classes.</exception>
    public RecurrentClassifierTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var o = ContextSeed.Apply(_options, _environment, "RecurrentClassifier");
        var kind = ClassifierColumns.Describe(input.Schema, o.FeatureColumnName, o.StepWidth);
        var classes = ClassifierColumns.Classes(input.Schema, o.LabelColumnName, _binary);
        var data = ClassifierColumns.Read(input, o.FeatureColumnName, o.LabelColumnName, kind, _binary, classes.Length);

        SequenceClassifierNetwork network;
        using (var channel = MLNetLog.TryStart(_environment, "RecurrentClassifier"))
        {
            channel?.Info(MessageSensitivity.None, $"Training a recurrent classifier on {data.Count:N0} sequences of column '{o.FeatureColumnName}'.");
            network = SequenceClassifierTrainer.Train(data, o, channel is null ? null : line => channel.Info(MessageSensitivity.None, line));
        }
        byte[] onnx = ClassifierWeights.ToOnnx(network, _binary, kind.KeyType, _binary ? null : classes);
        var chain = ClassifierChain.Create(onnx, _binary, classes, o.FeatureColumnName, input);
        return new RecurrentClassifierTransformer(onnx, chain, o.FeatureColumnName, classes);
    }
}
