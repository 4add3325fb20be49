using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.ML.Recurrent.Serving;

/// <summary>
/// Generates text with a served character language model, whole or streamed. Every request has its own recurrent
/// state and its own seed, so concurrent requests never affect each other and the same (prompt, settings, seed)
/// always gives the same text from the same model. A request runs to its end on the model it started with, even
/// if the model is reloaded meanwhile. Prompt characters the model never saw are skipped (as the exported ONNX
/// generator does), so any typed prompt works.
/// </summary>
public sealed class TextGenerator : IDisposable
{
    private readonly ReloadableModel<KnownModel> _model;

    /// <summary>Creates the generator (normally done by dependency injection; see <see cref="ServingServiceCollectionExtensions.AddTextGenerator"/>).</summary>
    public TextGenerator(IOptions<TextGeneratorOptions> options, ILogger<TextGenerator> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        var o = options.Value;
        var source = o.Source ?? throw new InvalidOperationException("No language model is configured: call FromFile, FromUri or FromSource on AddTextGenerator().");
        // Language models hold no native resources: a replaced one is simply left to the garbage collector.
        _model = new ReloadableModel<KnownModel>(o.ModelName, source(), bytes => new KnownModel(LanguageModelReader.Read(bytes)), static _ => { }, logger);
    }

    /// <summary>The model now served (loading it first if needed).</summary>
    public ModelVersion Version => _model.Current.Version;

    /// <summary>The language model now served (loading it first if needed).</summary>
    public CharLanguageModel Model => _model.Current.Value.Model;

    /// <summary>Reads the model's source again now and serves it if it changed; a failure is logged and the previous model stays.</summary>
    public Task<ModelVersion> ReloadAsync(CancellationToken cancellationToken = default) => _model.ReloadAsync(cancellationToken);

    /// <summary>
    /// <see cref="ReloadAsync"/>, waiting on the calling thread until it is done (for tools and tests; a request
    /// handler should await <see cref="ReloadAsync"/> instead).
    /// </summary>
    public ModelVersion Reload(CancellationToken cancellationToken = default) => ReloadAsync(cancellationToken).GetAwaiter().GetResult();

    /// <summary>Generates <paramref name="maxLength"/> characters after <paramref name="prompt"/>.</summary>
    /// <param name="prompt">The text to continue.</param>
    /// <param name="maxLength">How many characters to generate.</param>
    /// <param name="temperature">Sampling temperature; 0 is greedy decoding.</param>
    /// <param name="seed">The request's seed: the same seed gives the same text.</param>
    public TextGeneration Generate(string prompt, int maxLength, float temperature, int seed)
    {
        var (model, version) = _model.Current;
        return new TextGeneration(model.Model.Generate(model.KnownPart(prompt), maxLength, temperature, seed), version);
    }

    /// <summary>
    /// Streams the characters of <see cref="Generate"/> (each a Unicode scalar) as they are sampled. Cancelling
    /// <paramref name="cancellationToken"/> stops generation before the next character.
    /// </summary>
    public async IAsyncEnumerable<string> GenerateStreamAsync(string prompt, int maxLength, float temperature, int seed,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var model = _model.Current.Value;
        // Sampling is CPU work: leave the caller's (request) thread before the first character.
        await Task.Yield();
        foreach (string character in model.Model.GenerateCharacters(model.KnownPart(prompt), maxLength, temperature, seed))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return character;
        }
    }

    /// <summary>Stops watching the model's source.</summary>
    public void Dispose() => _model.Dispose();

    /// <summary>A model and the set of characters it knows.</summary>
    private sealed class KnownModel(CharLanguageModel model)
    {
        private readonly HashSet<string> _known = [.. model.Vocabulary];

        public CharLanguageModel Model { get; } = model;

        public string KnownPart(string prompt)
        {
            ArgumentNullException.ThrowIfNull(prompt);
            var kept = new System.Text.StringBuilder(prompt.Length);
            foreach (var rune in prompt.EnumerateRunes())
            {
                string s = rune.ToString();
                if (_known.Contains(s)) kept.Append(s);
            }
            return kept.ToString();
        }
    }
}
