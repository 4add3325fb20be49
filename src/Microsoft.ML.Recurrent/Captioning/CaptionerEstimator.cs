using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Recurrent;

/// <summary>
/// Trains an <see cref="ImageCaptioner"/> on a vector-of-Single image-features column (e.g. from
/// <c>DnnFeaturizeImage</c> with ResNet18) and a caption column — text, or a vector of texts for several
/// captions per image — and returns a transformer that writes a caption per row.
/// </summary>
public sealed class CaptionerEstimator : IEstimator<CaptionerTransformer>
{
    private readonly IHostEnvironment? _environment;
    private readonly CaptionerOptions _options;
    private readonly IEstimator<ITransformer> _schemaProbe;

    internal CaptionerEstimator(IHostEnvironment? environment, string outputColumnName, string featuresColumnName,
        string captionColumnName, CaptionerOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outputColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(featuresColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(captionColumnName);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _environment = environment;
        _options = options;
        OutputColumnName = outputColumnName;
        FeaturesColumnName = featuresColumnName;
        CaptionColumnName = captionColumnName;
        _schemaProbe = CaptionMapping.CreateSchemaProbe(outputColumnName);
    }

    /// <summary>Column that receives the caption text.</summary>
    public string OutputColumnName { get; }

    /// <summary>Column holding the image features.</summary>
    public string FeaturesColumnName { get; }

    /// <summary>Column holding the reference caption(s) trained on.</summary>
    public string CaptionColumnName { get; }

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        CaptionMapping.CheckFeatures(inputSchema, FeaturesColumnName, nameof(inputSchema));
        return _schemaProbe.GetOutputSchema(inputSchema);
    }

    /// <inheritdoc />
    public CaptionerTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CaptionMapping.CheckFeatures(input.Schema, FeaturesColumnName, size: null, nameof(input));
        var (features, captions) = ReadRows(input);
        ImageCaptioner captioner;
        using (var channel = MLNetLog.TryStart(_environment))
        {
            channel?.Info(MessageSensitivity.None, $"Training an image captioner on {features.Count:N0} images of column '{FeaturesColumnName}'.");
            captioner = ImageCaptioner.Train(features, captions, ContextSeed.Apply(_options, _environment, nameof(ImageCaptioner)),
                channel is null ? null : line => channel.Info(MessageSensitivity.None, line), CancellationToken.None);
        }
        return new CaptionerTransformer(captioner, OutputColumnName, FeaturesColumnName);
    }

    private (List<float[]> Features, List<IReadOnlyList<string>> Captions) ReadRows(IDataView input)
    {
        var featureColumn = input.Schema[FeaturesColumnName];
        var captionColumn = input.Schema.GetColumnOrNull(CaptionColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(input), $"Caption column '{CaptionColumnName}' not found.");
        var captionType = captionColumn.Type is VectorDataViewType vector ? vector.ItemType : captionColumn.Type;
        if (captionType is not TextDataViewType)
            throw new InvalidOperationException($"Caption column '{CaptionColumnName}' must be text or a vector of text, but is {captionColumn.Type}.");

        var features = new List<float[]>();
        var captions = new List<IReadOnlyList<string>>();
        using var cursor = input.GetRowCursor([featureColumn, captionColumn]);
        var getFeatures = cursor.GetGetter<VBuffer<float>>(featureColumn);
        Func<List<string>> getCaptions;
        if (captionColumn.Type is VectorDataViewType)
        {
            var getter = cursor.GetGetter<VBuffer<ReadOnlyMemory<char>>>(captionColumn);
            VBuffer<ReadOnlyMemory<char>> texts = default;
            getCaptions = () =>
            {
                getter(ref texts);
                return [.. texts.DenseValues().Select(t => t.ToString())];
            };
        }
        else
        {
            var getter = cursor.GetGetter<ReadOnlyMemory<char>>(captionColumn);
            ReadOnlyMemory<char> text = default;
            getCaptions = () =>
            {
                getter(ref text);
                return [text.ToString()];
            };
        }
        VBuffer<float> buffer = default;
        while (cursor.MoveNext())
        {
            getFeatures(ref buffer);
            features.Add(buffer.DenseValues().ToArray());
            captions.Add(getCaptions());
        }
        if (features.Count == 0) throw new InvalidOperationException("The training data has no rows.");
        return (features, captions);
    }
}
