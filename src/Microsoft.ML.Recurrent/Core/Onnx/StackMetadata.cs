using System.Globalization;

namespace Microsoft.ML.Recurrent.Onnx;

/// <summary>The metadata entries every task's graph records about its recurrent stack, beside <see cref="OnnxModelFile"/>'s common block.</summary>
internal static class StackMetadata
{
    private const string Prefix = OnnxModelFile.Prefix;
    /// <summary>Keys that every task's graph shares.</summary>
    public const string CellKey = Prefix + "cell", HiddenKey = Prefix + "hidden_size", LayersKey = Prefix + "layers", MaxLengthKey = Prefix + "max_length";

    /// <summary>The recurrent stack's entries (cell, hidden size, layers), as every task records them.</summary>
    public static IEnumerable<KeyValuePair<string, string>> Stack(RecurrentCell cell, int hidden, int layers)
    {
        yield return new(CellKey, cell.ToString().ToLowerInvariant());
        yield return new(HiddenKey, hidden.ToString(CultureInfo.InvariantCulture));
        yield return new(LayersKey, layers.ToString(CultureInfo.InvariantCulture));
    }
}
