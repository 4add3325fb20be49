namespace Microsoft.ML.Recurrent.Serving;

/// <summary>Which model a name currently serves: where it came from, its content hash, and when it was loaded.</summary>
/// <param name="ModelName">The name the model is registered under.</param>
/// <param name="Generation">1 for the first load, one more for every reload that changed the model.</param>
/// <param name="Sha256">Hex SHA-256 of the model's bytes; equal hashes mean the same model.</param>
/// <param name="Length">Size of the model in bytes.</param>
/// <param name="Source">The file path or URI it was read from.</param>
/// <param name="SourceModified">Last-modified time the source reported, when it reports one.</param>
/// <param name="LoadedAt">When this generation was loaded.</param>
public sealed record ModelVersion(string ModelName, int Generation, string Sha256, long Length, string Source,
    DateTimeOffset? SourceModified, DateTimeOffset LoadedAt);
