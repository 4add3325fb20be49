using Microsoft.ML.Data;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Classification;

/// <summary>The multiclass trainer on real float sequences: Fashion-MNIST images read as 28 steps of 28 pixels, through IDataView.</summary>
public sealed class FashionMnistClassifierTests
{
    public sealed class Image
    {
        public uint Class { get; set; }

        [VectorType(28 * 28)]
        public float[] Pixels { get; set; } = [];
    }

    private static Image[] Read(string prefix, int count)
    {
        var images = IdxFile.ReadImages(TestData.FashionMnist($"{prefix}-images-idx3-ubyte.gz"));
        var labels = IdxFile.ReadLabels(TestData.FashionMnist($"{prefix}-labels-idx1-ubyte.gz"));
        return [.. Enumerable.Range(0, count).Select(i => new Image { Class = labels[i], Pixels = images.Scaled(i) })];
    }

    [Fact]
    public void An_LSTM_over_the_rows_of_2000_images_classifies_unseen_test_images()
    {
        var ml = new MLContext(seed: 1);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", nameof(Image.Class))
            .Append(ml.MulticlassClassification.Trainers.Recurrent(new RecurrentClassifierOptions
            {
                FeatureColumnName = nameof(Image.Pixels),
                StepWidth = 28,
                Cell = RecurrentCell.Lstm,
                HiddenSize = 64,
                Bidirectional = false,
                Pooling = SequencePooling.Last,
                EmbeddingDropout = 0,
                Dropout = 0,
                BatchSize = 32,
                LearningRate = 3e-3f,
                MaxGradientNorm = 5,
                // Epochs, not a time budget: the same model on every machine, so the floor holds everywhere.
                MaxEpochs = 4,
                ValidationFraction = 0,
                Seed = 1,
            }));
        var model = pipeline.Fit(ml.Data.LoadFromEnumerable(Read("train", 2_000)));
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(ml.Data.LoadFromEnumerable(Read("t10k", 1_000))));
        // Measured 69.90% (deterministic for the seed; SIMD widths may move it slightly). Chance is 10%.
        Assert.True(metrics.MicroAccuracy > 0.68, $"accuracy {metrics.MicroAccuracy:P2}");
    }
}
