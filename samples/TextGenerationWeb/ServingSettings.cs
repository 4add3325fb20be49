namespace TextGenerationWeb;

/// <summary>The "TextGeneration" configuration section: the model and the limits on requests.</summary>
public sealed class ServingSettings
{
    /// <summary>The language model (ML.NET zip, .onnx or .rnnlm), relative to the content root; reloaded when it changes.</summary>
    public string ModelPath { get; set; } = "models/textgen.zip";

    /// <summary>Training time for the default model made when <see cref="ModelPath"/> does not exist; 0 to fail instead.</summary>
    public double TrainDefaultModelSeconds { get; set; } = 30;

    /// <summary>Longest prompt accepted, in characters.</summary>
    public int MaxPromptLength { get; set; } = 1000;

    /// <summary>Most characters one request may generate.</summary>
    public int MaxLength { get; set; } = 2000;

    /// <summary>Highest sampling temperature accepted (0 is greedy).</summary>
    public float MaxTemperature { get; set; } = 2f;
}
