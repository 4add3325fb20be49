namespace Microsoft.ML.Recurrent.Serving;

/// <summary>Which language model a <see cref="TextGenerator"/> serves.</summary>
public sealed class TextGeneratorOptions
{
    /// <summary>The name used in logs and <see cref="ModelVersion.ModelName"/>.</summary>
    public string ModelName { get; set; } = "text";

    /// <summary>How to make the model's source (called on first use); set by <see cref="TextGeneratorBuilder"/>.</summary>
    public Func<ModelSource>? Source { get; set; }
}
