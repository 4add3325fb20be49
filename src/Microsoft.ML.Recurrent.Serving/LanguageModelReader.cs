using System.Text;

namespace Microsoft.ML.Recurrent.Serving;

/// <summary>Reads a <see cref="CharLanguageModel"/> from the bytes of an ML.NET zip, an .onnx graph or an .rnnlm file.</summary>
internal static class LanguageModelReader
{
    private static readonly byte[] s_rnnlmMagic = Encoding.ASCII.GetBytes("MLRNNLM1");

    public static CharLanguageModel Read(byte[] bytes)
    {
        if (!bytes.AsSpan().StartsWith(s_rnnlmMagic)) return CharLanguageModel.LoadOnnx(new MemoryStream(bytes));
        // The .rnnlm reader takes a path (it verifies the file's checksum there); give it a private copy.
        string path = Path.Combine(Path.GetTempPath(), $"serving-{Guid.NewGuid():N}.rnnlm");
        try
        {
            File.WriteAllBytes(path, bytes);
            return CharLanguageModel.Load(path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
