namespace Microsoft.ML.Recurrent.Serving.Tests.Fixtures;

/// <summary>A scratch folder removed on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("mlrnn-serving-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Replaces <paramref name="target"/> atomically (write beside it, then rename), as a deployment should.</summary>
    public static void ReplaceAtomically(string source, string target)
    {
        string temporary = target + ".incoming";
        System.IO.File.Copy(source, temporary, overwrite: true);
        System.IO.File.Move(temporary, target, overwrite: true);
    }

    // Tolerates a second call: WebApplicationFactory disposes its subclass more than once.
    public void Dispose()
    {
        if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
    }
}
