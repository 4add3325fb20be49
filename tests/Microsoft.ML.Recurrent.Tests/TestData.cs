namespace Microsoft.ML.Recurrent.Tests;

/// <summary>The shared data sets (../shared/data beside the repository), never copied into it.</summary>
internal static class TestData
{
    public static string Directory { get; } = Find();

    public static string TinyShakespearePath => Path.Combine(Directory, "tinyshakespeare.txt");

    public static string TinyShakespeare(int characters) => File.ReadAllText(TinyShakespearePath)[..characters];

    /// <summary>
    /// The first <paramref name="perClass"/> sentences of rt-polarity.pos and of .neg (Windows-1252 files; Latin-1
    /// decodes them the same, they use no byte in 0x80–0x9F), interleaved positive, negative, positive, ...
    /// </summary>
    public static IEnumerable<(bool Positive, string Text)> Polarity(int perClass)
    {
        var pos = File.ReadLines(Path.Combine(Directory, "rt-polarity.pos"), System.Text.Encoding.Latin1).Take(perClass);
        var neg = File.ReadLines(Path.Combine(Directory, "rt-polarity.neg"), System.Text.Encoding.Latin1).Take(perClass);
        return pos.Zip(neg).SelectMany(p => new[] { (true, p.First.Trim()), (false, p.Second.Trim()) });
    }

    /// <summary>A file of the Fashion-MNIST folder (gzipped IDX files), or the folder itself.</summary>
    public static string FashionMnist(string file = "") => Path.Combine(Directory, "fashion-mnist", file);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "data");
            if (File.Exists(Path.Combine(candidate, "tinyshakespeare.txt"))) return candidate;
        }
        throw new DirectoryNotFoundException("../shared/data (with tinyshakespeare.txt) was not found above " + AppContext.BaseDirectory);
    }

    /// <summary>A scratch directory removed on dispose.</summary>
    public sealed class TempDirectory : IDisposable
    {
        public string Path { get; } = System.IO.Directory.CreateTempSubdirectory("mlrnn-test-").FullName;
        public string File(string name) => System.IO.Path.Combine(Path, name);
        public void Dispose() => System.IO.Directory.Delete(Path, recursive: true);
    }
}
