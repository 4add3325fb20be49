using System.Text;
using Microsoft.ML.Data;

namespace Sentiment;

/// <summary>One labelled sentence: the model's input row.</summary>
public sealed class SentimentInput
{
    /// <summary>True for positive sentiment (ignored when predicting).</summary>
    public bool Label { get; set; }

    /// <summary>The sentence.</summary>
    public string Text { get; set; } = "";
}

/// <summary>The model's output row: ML.NET's binary classification columns.</summary>
public sealed class SentimentPrediction
{
    /// <summary>Predicted sentiment: true = positive.</summary>
    [ColumnName("PredictedLabel")]
    public bool Positive { get; set; }

    /// <summary>Probability of positive sentiment.</summary>
    public float Probability { get; set; }

    /// <summary>Log-odds of positive sentiment.</summary>
    public float Score { get; set; }
}

/// <summary>Reads the training data: the rt-polarity pair (.pos/.neg) or a <c>label&lt;TAB&gt;text</c> file.</summary>
internal static class SentimentData
{
    public static List<SentimentInput> Read(string path)
    {
        if (path.EndsWith(".pos", StringComparison.Ordinal) || path.EndsWith(".neg", StringComparison.Ordinal))
        {
            // The polarity files are Windows-1252; Latin-1 decodes the bytes they use identically (none in 0x80–0x9F).
            string stem = path[..^4];
            return [.. Lines(stem + ".pos", Encoding.Latin1).Select(t => new SentimentInput { Label = true, Text = t })
                .Concat(Lines(stem + ".neg", Encoding.Latin1).Select(t => new SentimentInput { Label = false, Text = t }))];
        }
        return [.. Lines(path, Encoding.UTF8).Select((line, i) => ParseTabbed(line, path, i + 1))];
    }

    private static IEnumerable<string> Lines(string path, Encoding encoding)
        => File.ReadLines(path, encoding).Select(l => l.Trim()).Where(l => l.Length > 0);

    // label: 1/0, true/false, pos/neg or positive/negative
    private static SentimentInput ParseTabbed(string line, string path, int number)
    {
        int tab = line.IndexOf('\t');
        if (tab < 0) throw new InvalidDataException($"{path}:{number}: expected 'label<TAB>text'.");
        bool label = line[..tab].Trim().ToLowerInvariant() switch
        {
            "1" or "true" or "pos" or "positive" => true,
            "0" or "false" or "neg" or "negative" => false,
            var other => throw new InvalidDataException($"{path}:{number}: unknown label '{other}' (use 1/0, true/false, pos/neg)."),
        };
        return new SentimentInput { Label = label, Text = line[(tab + 1)..] };
    }
}
