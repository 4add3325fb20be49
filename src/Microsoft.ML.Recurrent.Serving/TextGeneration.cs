namespace Microsoft.ML.Recurrent.Serving;

/// <summary>A whole generated text and the model that wrote it.</summary>
/// <param name="Text">The continuation (the prompt is not repeated).</param>
/// <param name="Model">The model version that generated it.</param>
public sealed record TextGeneration(string Text, ModelVersion Model);
