namespace Microsoft.ML.Recurrent.Onnx;

/// <summary>How a <see cref="DecodeLoop"/> decodes: a fixed number of tokens, greedy (temperature 0) or sampled.</summary>
internal sealed record GenerationSettings(int MaxLength, float Temperature, int Seed);
