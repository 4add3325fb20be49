using Microsoft.ML.Recurrent.Captioning;

namespace Microsoft.ML.Recurrent;

/// <summary>
/// Variants of the CNN models behind ML.NET's <c>DnnFeaturizeImage</c> that suit captioning. ResNet18's features
/// are the average of its last 7×7 feature map: they say what is in the image but not where, so a caption model
/// cannot tell which colour belongs to which of several objects. Pooling vertical strips instead keeps the
/// left-to-right layout, at the same cost per image.
/// </summary>
public static class ImageFeaturizerModels
{
    private const string ResNet18Folder = "ResNet18Onnx", ResNet18File = "ResNet18.onnx";
    private const string PreprocessFolder = "ResNetPrepOnnx", PreprocessFile = "ResNetPreprocess.onnx";

    /// <summary>
    /// Writes ML.NET's ResNet18 featurizer models into <paramref name="outputDirectory"/> with the final 7×7 average
    /// pooling replaced by <paramref name="columns"/> evenly spaced, overlapping vertical strips (3: columns 0–2, 2–4
    /// and 4–6 of the map), and returns the directory to pass as the model directory of
    /// <c>ModelSelector.ResNet18(mlContext, outputColumn, inputColumn, modelDirectory)</c> in
    /// <c>DnnFeaturizeImage</c>. The features are then 512 × <paramref name="columns"/> values, channel by channel
    /// (value c · columns + strip).
    /// </summary>
    /// <param name="outputDirectory">Where to write (created if needed; files there are replaced atomically); keep it apart
    /// from other models. Only fitting reads it: a fitted pipeline carries the model inside its saved zip.</param>
    /// <param name="columns">Strips, 1 (ResNet18's own global pooling) to 7.</param>
    /// <param name="sourceDirectory">The <c>DnnImageModels</c> folder that the Microsoft.ML.DnnImageFeaturizer.ResNet18
    /// package copies next to the application (the default).</param>
    /// <exception cref="FileNotFoundException">The original models are not in <paramref name="sourceDirectory"/>.</exception>
    /// <exception cref="InvalidDataException">The original ResNet18 model does not end in a global average pooling.</exception>
    public static string WriteResNet18WithColumnPooling(string outputDirectory, int columns = 3, string? sourceDirectory = null)
    {
        FinalPoolingRewrite.Strips(7, columns); // validates columns before any file is touched
        return WriteResNet18(outputDirectory, sourceDirectory, model => FinalPoolingRewrite.Rewrite(model, columns));
    }

    /// <summary>ResNet18's feature channels: the depth of its last feature map.</summary>
    public const int ResNet18Channels = 512;

    /// <summary>The regions of ResNet18's last feature map, 7 × 7 for a 224 × 224 image.</summary>
    public const int ResNet18GridRegions = 49;

    /// <summary>
    /// Writes ML.NET's ResNet18 featurizer models into <paramref name="outputDirectory"/> with the final 7×7 average
    /// pooling removed (an identity 1×1 pooling in its place), so the features are the last feature map itself, for
    /// captioners that attend over image regions; returns the directory to pass as the model directory of
    /// <c>ModelSelector.ResNet18(mlContext, outputColumn, inputColumn, modelDirectory)</c> in
    /// <c>DnnFeaturizeImage</c>. The features are then <see cref="ResNet18Channels"/> × <see cref="ResNet18GridRegions"/>
    /// = 25,088 values, channel-major: value c · 49 + r for channel c and region r = row · 7 + column (row 0 at the top,
    /// column 0 at the left); the mean of a channel's 49 values is ResNet18's own feature.
    /// </summary>
    /// <param name="outputDirectory">Where to write (created if needed; files there are replaced atomically); keep it apart
    /// from other models. Only fitting reads it: a fitted pipeline carries the model inside its saved zip.</param>
    /// <param name="sourceDirectory">The <c>DnnImageModels</c> folder that the Microsoft.ML.DnnImageFeaturizer.ResNet18
    /// package copies next to the application (the default).</param>
    /// <exception cref="FileNotFoundException">The original models are not in <paramref name="sourceDirectory"/>.</exception>
    /// <exception cref="InvalidDataException">The original ResNet18 model does not end in a global average pooling.</exception>
    public static string WriteResNet18WithGrid(string outputDirectory, string? sourceDirectory = null)
        => WriteResNet18(outputDirectory, sourceDirectory, model => FinalPoolingRewrite.Grid(model, FinalPoolingRewrite.LastStage, 7));

    /// <summary>
    /// Writes ML.NET's ResNet18 featurizer models into <paramref name="outputDirectory"/> so that the features are the
    /// map after <paramref name="stage"/>, average-pooled into a <paramref name="gridSize"/> × <paramref name="gridSize"/>
    /// grid of regions (the stages after it are left out of the model, so featurizing costs less); returns the directory
    /// to pass as the model directory of <c>ModelSelector.ResNet18(mlContext, outputColumn, inputColumn, modelDirectory)</c>
    /// in <c>DnnFeaturizeImage</c>. The features are <see cref="GridChannels"/>(<paramref name="stage"/>) ×
    /// <paramref name="gridSize"/>² values, channel-major: value c · gridSize² + row · gridSize + column. For spatial
    /// attention, the third stage pooled into 7 × 7 regions (12,544 features) lets a captioner find each object in its
    /// own regions, where the last map's regions all see most of the image.
    /// </summary>
    /// <param name="outputDirectory">Where to write (created if needed; files there are replaced atomically); keep it apart
    /// from other models. Only fitting reads it: a fitted pipeline carries the model inside its saved zip.</param>
    /// <param name="stage">The map: <see cref="ResNet18Stage.Stage4"/> is the last one (7 × 7), as
    /// <see cref="WriteResNet18WithGrid(string, string)"/> writes it.</param>
    /// <param name="gridSize">Regions per side; it must divide the map's side (28, 14 or 7).</param>
    /// <param name="sourceDirectory">The <c>DnnImageModels</c> folder that the Microsoft.ML.DnnImageFeaturizer.ResNet18
    /// package copies next to the application (the default).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stage"/> is not a stage, or <paramref name="gridSize"/>
    /// does not divide its map's side.</exception>
    /// <exception cref="FileNotFoundException">The original models are not in <paramref name="sourceDirectory"/>.</exception>
    /// <exception cref="InvalidDataException">The original ResNet18 model does not end in a global average pooling.</exception>
    public static string WriteResNet18WithGrid(string outputDirectory, ResNet18Stage stage, int gridSize = 7, string? sourceDirectory = null)
    {
        GridChannels(stage); // validates the stage
        int side = 7 << (FinalPoolingRewrite.LastStage - (int)stage);
        if (gridSize < 1 || side % gridSize != 0)
            throw new ArgumentOutOfRangeException(nameof(gridSize), gridSize, $"{stage}'s map is {side} × {side}: the grid's side must divide {side}.");
        return WriteResNet18(outputDirectory, sourceDirectory, model => FinalPoolingRewrite.Grid(model, (int)stage, gridSize));
    }

    /// <summary>The channels of a stage's map: 128, 256 or 512.</summary>
    /// <param name="stage">The stage.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stage"/> is not a stage.</exception>
    public static int GridChannels(ResNet18Stage stage) => Enum.IsDefined(stage)
        ? ResNet18Channels >> (FinalPoolingRewrite.LastStage - (int)stage)
        : throw new ArgumentOutOfRangeException(nameof(stage), stage, "ResNet18's grids come from stage 2, 3 or 4.");

    // Validates, then writes the rewritten ResNet18 and its unchanged preprocessing model.
    private static string WriteResNet18(string outputDirectory, string? sourceDirectory, Func<byte[], byte[]> rewrite)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outputDirectory);
        sourceDirectory ??= Path.Combine(AppContext.BaseDirectory, "DnnImageModels");
        string model = Path.Combine(sourceDirectory, ResNet18Folder, ResNet18File);
        string preprocess = Path.Combine(sourceDirectory, PreprocessFolder, PreprocessFile);
        foreach (string file in new[] { model, preprocess })
            if (!File.Exists(file))
                throw new FileNotFoundException($"ML.NET's ResNet18 featurizer model is not at {file}; reference the Microsoft.ML.DnnImageFeaturizer.ResNet18 package or pass its DnnImageModels folder.", file);

        string modelOut = Path.Combine(outputDirectory, ResNet18Folder, ResNet18File);
        string preprocessOut = Path.Combine(outputDirectory, PreprocessFolder, PreprocessFile);
        WriteAtomically(modelOut, rewrite(File.ReadAllBytes(model)));
        WriteAtomically(preprocessOut, File.ReadAllBytes(preprocess));
        return outputDirectory;
    }

    private static void WriteAtomically(string path, byte[] bytes)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string temporary = path + ".tmp";
        File.WriteAllBytes(temporary, bytes);
        File.Move(temporary, path, overwrite: true);
    }
}
