using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Translation;

namespace Microsoft.ML.Recurrent;

/// <summary>
/// Writes, for every row's source tokens, the greedy output of a trained <see cref="SequenceTranslator"/> as one text:
/// the output tokens joined by single spaces (a token the model could not name is written <c>&lt;unk&gt;</c>).
/// </summary>
/// <remarks>
/// The source column is a vector of text (e.g. from <c>TokenizeIntoWords</c>) or a vector of keys with text key values
/// (e.g. from <c>TokenizeIntoCharactersAsKeys</c>), read as those values; source tokens never seen in training read as
/// the unknown token; a row with no source token gets an empty output. The translator runs as its greedy ONNX graph
/// (<see cref="SequenceTranslator.ExportToOnnx(Stream, TranslationDecoding?)"/>, an ONNX <c>Loop</c>) inside ML.NET's own
/// OnnxTransformer, in <see cref="Transform"/>, in prediction engines and in what <c>mlContext.Model.Save</c> writes
/// (loaded back with plain <c>mlContext.Model.Load</c>, no registration): one engine, so the outputs before saving,
/// after loading and in another process are the same. Beam search and sampling are not in that graph; call
/// <see cref="SequenceTranslator.Translate(IReadOnlyList{string}, TranslationDecoding?)"/> for them.
/// </remarks>
public sealed class SequenceTranslatorTransformer : ITransformer
{
    private readonly ITransformer _chain;
    private readonly bool _keys;

    /// <summary>Wraps a trained translator that reads a vector-of-text source column.</summary>
    /// <param name="translator">The trained translator.</param>
    /// <param name="outputColumnName">Column that receives the output text.</param>
    /// <param name="sourceColumnName">Vector-of-text column holding the source tokens.</param>
    /// <exception cref="ArgumentException">A column name is empty, or one the pipeline uses internally.</exception>
    public SequenceTranslatorTransformer(SequenceTranslator translator, string outputColumnName, string sourceColumnName)
        : this(translator, outputColumnName, sourceColumnName, null)
    {
    }

    /// <param name="translator">The trained translator.</param>
    /// <param name="outputColumnName">Column that receives the output text.</param>
    /// <param name="sourceColumnName">The source column.</param>
    /// <param name="schemaSource">Data with the source column, whose type (text or keys) the chain is bound to; null: a vector of text.</param>
    internal SequenceTranslatorTransformer(SequenceTranslator translator, string outputColumnName, string sourceColumnName, IDataView? schemaSource)
    {
        ArgumentNullException.ThrowIfNull(translator);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(sourceColumnName);
        foreach (string name in new[] { sourceColumnName, outputColumnName }.Where(TranslatorChain.TemporaryColumns.Contains))
            throw new ArgumentException($"Column name '{name}' is used internally by the translation pipeline; choose another name.");
        schemaSource ??= TranslatorColumns.TokensSchema(sourceColumnName);
        _keys = TranslatorColumns.Check(schemaSource.Schema, sourceColumnName, "source");
        Translator = translator;
        OutputColumnName = outputColumnName;
        SourceColumnName = sourceColumnName;
        _chain = TranslatorChain.Create(translator.OnnxBytes(null), sourceColumnName, _keys, outputColumnName, schemaSource);
    }

    /// <summary>The trained translator.</summary>
    public SequenceTranslator Translator { get; }

    /// <summary>Column that receives the output text.</summary>
    public string OutputColumnName { get; }

    /// <summary>Column holding the source tokens.</summary>
    public string SourceColumnName { get; }

    /// <inheritdoc />
    public bool IsRowToRowMapper => true;

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        Check(inputSchema, nameof(inputSchema));
        return _chain.GetOutputSchema(inputSchema);
    }

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        Check(inputSchema, nameof(inputSchema));
        return _chain.GetRowToRowMapper(inputSchema);
    }

    /// <inheritdoc />
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        Check(input.Schema, nameof(input));
        return _chain.Transform(input);
    }

    /// <summary>Writes the greedy translation graph this transformer runs and saves (ONNX); see <see cref="SequenceTranslator.ExportToOnnx(Stream, TranslationDecoding?)"/>.</summary>
    /// <param name="stream">A writable stream; it is left open.</param>
    public void ExportToOnnx(Stream stream) => Translator.ExportToOnnx(stream);

    /// <summary>Saves the chain of ML.NET transforms this transformer applies (see the remarks).</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => ((ICanSaveModel)_chain).Save(ctx);

    private void Check(DataViewSchema schema, string paramName)
    {
        ArgumentNullException.ThrowIfNull(schema, paramName);
        if (TranslatorColumns.Check(schema, SourceColumnName, "source") != _keys)
            throw new InvalidOperationException($"The source column '{SourceColumnName}' holds {(_keys ? "text" : "keys")}; the translator was bound to {(_keys ? "keys" : "text")}.");
    }
}
