namespace Microsoft.ML.Recurrent.Persistence;

/// <summary>What a <see cref="ModelFile"/> container holds: its 8-character magic, how messages name it, and the newest format version (the one written).</summary>
internal sealed record ModelKind(string Magic, string What, int Version);
