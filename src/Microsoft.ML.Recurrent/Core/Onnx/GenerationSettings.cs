namespace Microsoft.ML.Recurrent.Onnx;

/// <summary>
/// How a <see cref="DecodeLoop"/> decodes: a fixed number of tokens, greedy (temperature 0) or sampled. A sampled
/// graph draws its MaxLength uniforms from <paramref name="Seed"/>'s stream, stored in the graph, unless
/// <paramref name="UniformsInput"/> names a graph input (double, at least MaxLength values, read flat) that supplies them at run time, so that
/// each run (each ML.NET row) can sample its own stream.
/// </summary>
internal sealed record GenerationSettings(int MaxLength, float Temperature, int Seed, string? UniformsInput = null);
