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
        ArgumentException.ThrowIfNullOrWhiteSpace(outputDirectory);
        ColumnPoolingRewrite.Strips(7, columns); // validates columns before any file is touched
        sourceDirectory ??= Path.Combine(AppContext.BaseDirectory, "DnnImageModels");
        string model = Path.Combine(sourceDirectory, ResNet18Folder, ResNet18File);
        string preprocess = Path.Combine(sourceDirectory, PreprocessFolder, PreprocessFile);
        foreach (string file in new[] { model, preprocess })
            if (!File.Exists(file))
                throw new FileNotFoundException($"ML.NET's ResNet18 featurizer model is not at {file}; reference the Microsoft.ML.DnnImageFeaturizer.ResNet18 package or pass its DnnImageModels folder.", file);

        string modelOut = Path.Combine(outputDirectory, ResNet18Folder, ResNet18File);
        string preprocessOut = Path.Combine(outputDirectory, PreprocessFolder, PreprocessFile);
        WriteAtomically(modelOut, ColumnPoolingRewrite.Rewrite(File.ReadAllBytes(model), columns));
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
