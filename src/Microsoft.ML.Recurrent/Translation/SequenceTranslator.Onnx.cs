using Microsoft.ML.Recurrent.Translation;

namespace Microsoft.ML.Recurrent;

/// <summary>Exporting a translator's greedy decoder as an ONNX model.</summary>
public sealed partial class SequenceTranslator
{
    /// <summary>
    /// Writes the translator's greedy decoder as an ONNX model to <paramref name="path"/> (its folder is created if
    /// needed). See <see cref="ExportToOnnx(Stream, TranslationDecoding?)"/> for its inputs and outputs.
    /// </summary>
    /// <param name="path">The .onnx file to write.</param>
    /// <param name="decoding">Its output length limit (greedy: beam search and sampling are not in the graph); the default limit when null.</param>
    public void ExportToOnnx(string path, TranslationDecoding? decoding = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        byte[] onnx = OnnxBytes(decoding);
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder != null) Directory.CreateDirectory(folder);
        File.WriteAllBytes(path, onnx);
    }

    /// <summary>
    /// Writes the translator's greedy decoder as an ONNX model (opset 17 with ai.onnx.ml, one ONNX <c>Loop</c>) to
    /// <paramref name="stream"/>. Input <c>translation_source</c>: string [1, S], the source tokens (tokens never seen in
    /// training read as the unknown token, as in <see cref="Translate(IReadOnlyList{string}, TranslationDecoding?)"/>; an
    /// empty source, which <c>Translate</c> refuses, gives an empty output).
    /// Outputs <c>translation_tokens</c>: string [1, n] and <c>translation_ids</c>: int64 [1, n], the tokens
    /// <see cref="Translate(IReadOnlyList{string}, TranslationDecoding?)"/> outputs with greedy decoding, and their target ids.
    /// </summary>
    /// <param name="stream">A writable stream; it is left open.</param>
    /// <param name="decoding">Its output length limit (greedy: beam search and sampling are not in the graph); the default limit when null.</param>
    /// <exception cref="ArgumentException">The stream is not writable.</exception>
    /// <exception cref="NotSupportedException"><paramref name="decoding"/> asks for beam search or sampling.</exception>
    public void ExportToOnnx(Stream stream, TranslationDecoding? decoding = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanWrite) throw new ArgumentException("The stream is not writable.", nameof(stream));
        stream.Write(OnnxBytes(decoding));
    }

    internal byte[] OnnxBytes(TranslationDecoding? decoding)
    {
        decoding ??= TranslationDecoding.Greedy;
        decoding.Validate();
        if (decoding.BeamSize != 1 || decoding.Temperature != 0)
            throw new NotSupportedException($"The ONNX graph decodes greedily; beam search (BeamSize {decoding.BeamSize}) and sampling (Temperature {decoding.Temperature}) are not in it.");
        return TranslatorGraph.Export(Network, _vocabulary, decoding);
    }
}
