namespace Microsoft.ML.Recurrent.Serving;

/// <summary>The bytes of a model as read from its source at one moment.</summary>
/// <param name="Bytes">The whole model file (an ML.NET zip, .onnx or .rnnlm).</param>
/// <param name="Modified">The last-modified time the source reported, if any.</param>
public sealed record ModelSnapshot(byte[] Bytes, DateTimeOffset? Modified);
