using Microsoft.ML.Data;
using Microsoft.ML.Recurrent;

namespace FashionMnist;

/// <summary>One image: the model's input row.</summary>
public sealed class FashionImage
{
    /// <summary>Pixels per image: 28 rows of 28.</summary>
    public const int Size = 28 * 28;

    /// <summary>The class name, e.g. "Sneaker" (ignored when predicting).</summary>
    public string Label { get; set; } = "";

    /// <summary>The 28 × 28 pixels ÷ 255, row after row: the classifier reads them as 28 steps of 28 values.</summary>
    [VectorType(Size)]
    public float[] Pixels { get; set; } = [];
}

/// <summary>The model's output row: ML.NET's multiclass columns, the predicted key mapped back to its class name.</summary>
public sealed class FashionPrediction
{
    /// <summary>The predicted class name.</summary>
    [ColumnName(ModelBuilder.PredictedClass)]
    public string Class { get; set; } = "";

    /// <summary>The probability of each class, in the order of <see cref="FashionMnistData.ClassNames"/>.</summary>
    public float[] Score { get; set; } = [];
}

/// <summary>Reads the Fashion-MNIST IDX files with the library's <see cref="IdxFile"/>.</summary>
internal static class FashionMnistData
{
    public const int TrainingImages = 60_000;
    public const int TestImages = 10_000;

    /// <summary>The ten classes, by label value 0–9 (Fashion-MNIST's README).</summary>
    public static readonly string[] ClassNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>The first <paramref name="rows"/> images of the training files (<paramref name="training"/>) or of the test files, with their class names.</summary>
    public static FashionImage[] Read(string dir, bool training, int rows)
    {
        string prefix = training ? "train" : "t10k";
        var images = IdxFile.ReadImages(Path.Combine(dir, $"{prefix}-images-idx3-ubyte.gz"));
        var labels = IdxFile.ReadLabels(Path.Combine(dir, $"{prefix}-labels-idx1-ubyte.gz"));
        if (images.Rows * images.Columns != FashionImage.Size || images.Count != labels.Length)
            throw new InvalidDataException($"{dir}: {images.Count} images of {images.Rows}×{images.Columns} and {labels.Length} labels; expected 28×28 images, one label each.");
        if (rows < 1 || rows > images.Count)
            throw new ArgumentException($"--train-rows must be in 1–{images.Count:N0}, got {rows}.");
        return [.. Enumerable.Range(0, rows).Select(i => new FashionImage
        {
            Label = labels[i] < ClassNames.Length ? ClassNames[labels[i]] : throw new InvalidDataException($"{dir}: label {labels[i]} of image {i} is not a class 0–9."),
            Pixels = images.Scaled(i),
        })];
    }
}
