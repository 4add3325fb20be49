using System.Text;

namespace Microsoft.ML.Recurrent.Serving;

/// <summary>Reads a <see cref="CharLanguageModel"/> from the bytes of an ML.NET zip, an .onnx graph or an .rnnlm file.</summary>
internal static class LanguageModelReader
{
    private static readonly byte[] s_rnnlmMagic = Encoding.ASCII.GetBytes("MLRNNLM1");

    public static CharLanguageModel Read(byte[] bytes)
    {
        var stream = new MemoryStream(bytes, writable: false);
        return bytes.AsSpan().StartsWith(s_rnnlmMagic) ? CharLanguageModel.Load(stream) : CharLanguageModel.LoadOnnx(stream);
    }
}
