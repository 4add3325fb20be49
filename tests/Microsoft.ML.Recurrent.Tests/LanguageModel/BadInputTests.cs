using System.Text;
using Microsoft.ML.Recurrent.Layers;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Models;

public class BadInputTests
{
    private static CharLanguageModelOptions Quick() => new() { HiddenSize = 8, Layers = 1, BatchSize = 2, SequenceLength = 4, MaxIterations = 2, ValidationFraction = 0 };

    [Theory]
    [InlineData("")]
    [InlineData("x")]
    public void TooShortTextIsAClearError(string text)
        => Assert.Contains("at least 2", Assert.Throws<ArgumentException>(() => CharLanguageModel.Train(text, Quick())).Message);

    [Fact]
    public void TextShorterThanOneMinibatchNamesTheSizes()
    {
        var e = Assert.Throws<ArgumentException>(() => CharLanguageModel.Train("hello", Quick()));
        Assert.Contains("batch size 2 × sequence length 4 needs at least 9", e.Message);
    }

    [Fact]
    public void AValidationSplitTooSmallIsAClearError()
    {
        var o = Quick();
        o.ValidationFraction = 0.01f;
        Assert.Contains("ValidationFraction", Assert.Throws<ArgumentException>(() => CharLanguageModel.Train("abcdefghijklmnopqrstuvwxyz", o)).Message);
    }

    public static TheoryData<Action<CharLanguageModelOptions>, string> BadOptions => new()
    {
        { o => o.HiddenSize = 0, "HiddenSize" },
        { o => o.HiddenSize = -5, "HiddenSize" },
        { o => o.HiddenSize = 10_000_000, "HiddenSize" },
        { o => o.Layers = 0, "Layers" },
        { o => o.BatchSize = 0, "BatchSize" },
        { o => o.SequenceLength = -1, "SequenceLength" },
        { o => o.LearningRate = float.NaN, "LearningRate" },
        { o => o.LearningRate = float.PositiveInfinity, "LearningRate" },
        { o => o.LearningRate = 0, "LearningRate" },
        { o => o.Dropout = 1f, "Dropout" },
        { o => o.GradientClip = -1, "GradientClip" },
        { o => o.ValidationFraction = 1.5f, "ValidationFraction" },
        { o => o.Cell = (RecurrentCell)42, "Cell" },
        { o => o.MaxIterations = null, "MaxIterations" },
        { o => o.MaxEpochs = double.NaN, "MaxEpochs" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void OutOfRangeOptionsNameTheOption(Action<CharLanguageModelOptions> spoil, string name)
    {
        var o = Quick();
        spoil(o);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => CharLanguageModel.Train("abcdefghijklmnopqrstuvwxyz", o));
        Assert.Equal(name, e.ParamName);
    }

    [Fact]
    public void AMissingFileIsAClearError()
        => Assert.Contains("does not exist", Assert.Throws<FileNotFoundException>(() => CharLanguageModel.TrainFromFile("/nonexistent/input.txt", Quick())).Message);

    [Fact]
    public void ANonUtf8FileIsAClearError()
    {
        using var dir = new TestData.TempDirectory();
        // The polarity data set is Windows-1252, exactly the kind of file this must catch.
        string latin1 = dir.File("latin1.txt");
        File.WriteAllBytes(latin1, Encoding.Latin1.GetBytes("caf\u00e9 cr\u00e8me br\u00fbl\u00e9e, na\u00efve r\u00e9sum\u00e9 " + new string('x', 50)));
        var e = Assert.Throws<InvalidDataException>(() => CharLanguageModel.TrainFromFile(latin1, Quick()));
        Assert.Contains("not valid UTF-8", e.Message);
        Assert.Contains("offset 3", e.Message);
    }

    [Fact]
    public void Utf8WithABomAndCharactersOutsideTheBmpTrains()
    {
        using var dir = new TestData.TempDirectory();
        string path = dir.File("emoji.txt");
        File.WriteAllText(path, string.Concat(Enumerable.Repeat("ab😀c ", 20)), new UTF8Encoding(true));
        var model = CharLanguageModel.TrainFromFile(path, Quick());
        Assert.Equal(["\u0020", "a", "b", "c", "😀"], model.Vocabulary);
        Assert.Equal(10, new System.Globalization.StringInfo(model.Generate("😀", 10, 1f)).LengthInTextElements);
    }
}
