using Microsoft.ML.Recurrent.Onnx;

namespace Microsoft.ML.Recurrent.LanguageModel;

/// <summary>
/// The generator graph: a prompt as UTF-16 code units [1, n] (uint16), and when sampling from a per-run stream the
/// uniforms <see cref="UniformsInput"/> [1, MaxLength] (double) → <see cref="IdsOutput"/> [MaxLength] (int64 vocabulary
/// indices) and <see cref="CharsOutput"/> [MaxLength] (one string per character). The prompt
/// primes the stack (<see cref="PromptEncoding"/>), then the <see cref="DecodeLoop"/> picks a character and feeds it
/// back, MaxLength times, exactly as <see cref="Sampler"/> does.
/// </summary>
/// <remarks>
/// Temperature sampling replays the sampler's random stream (see <see cref="DecodeLoop"/>): the seed's, stored in the
/// graph (the same prompt always gives the same text), or the one given as <see cref="UniformsInput"/>
/// (<see cref="Decoding.SamplingUniforms"/> of a seed gives that seed's text). Results agree with our engine except where
/// a uniform falls within float rounding of a cumulative boundary.
/// </remarks>
internal static class GeneratorGraph
{
    public const string Name = "char_generator";
    public const string Input = "prompt_units", IdsOutput = "generated_ids", CharsOutput = "generated_chars";

    /// <summary>The optional input of the sampling uniforms, one per generated character (see <see cref="GenerationSettings.UniformsInput"/>).</summary>
    public const string UniformsInput = "sampling_uniforms";

    /// <summary>The settings of a generator graph; with <paramref name="uniformsInput"/> it reads its uniforms from <see cref="UniformsInput"/>.</summary>
    public static GenerationSettings Settings(int maxLength, float temperature, int seed, bool uniformsInput)
        => new(maxLength, temperature, seed, uniformsInput ? UniformsInput : null);

    public static GraphBuilder Build(LanguageModelShape shape, CharVocabulary vocabulary, GenerationSettings settings)
    {
        var g = new GraphBuilder(Name);
        var stack = shape.OnnxStack();
        g.Graph.Inputs.Add(new ValueInfoProto(Input, ElementType.UInt16, [1, "prompt_length"]));
        if (settings.UniformsInput is { } uniforms)
            // [1, n] with n unknown, as for the prompt: ML.NET's OnnxTransformer feeds a variable-length vector column (the
            // uniforms mapping's) only to an input with an unknown dimension, and forces an unknown first one to 1.
            g.Graph.Inputs.Add(new ValueInfoProto(uniforms, ElementType.Double, [1, "sampling_length"]));

        string prompt = PromptEncoding.Emit(g, Input, vocabulary);
        var (_, h, c) = stack.Layers(g, g.Unsqueeze(stack.OneHot(g, prompt), 1));
        string logits = stack.Logits(g, g.Squeeze(h[^1], 0)); // the last layer's final state [1, 1, H] -> [1, V]

        DecodeStep step = (b, token, hIn, cIn) =>
        {
            var (_, hOut, cOut) = stack.Layers(b, b.Unsqueeze(stack.OneHot(b, token), 0), hIn, cIn);
            return (stack.Logits(b, b.Squeeze(hOut[^1], 0)), hOut, cOut);
        };
        DecodeLoop.Emit(g, "decode_step", step, logits, h, c, shape.Vocabulary, shape.Hidden, settings, IdsOutput);
        string symbols = g.Initializer(TensorProto.Texts("vocabulary_symbols", [.. vocabulary.Symbols]));
        g.AddNamed("Gather", [symbols, IdsOutput], CharsOutput, AttributeProto.Of("axis", 0L));

        g.Graph.Outputs.Add(new ValueInfoProto(IdsOutput, ElementType.Int64, [settings.MaxLength]));
        g.Graph.Outputs.Add(new ValueInfoProto(CharsOutput, ElementType.String, [settings.MaxLength]));
        g.Graph.DocString =
            $"{Input}: uint16 [1, n], the prompt as UTF-16 code units (characters the model does not know are skipped; an empty prompt starts from a newline). " +
            $"{IdsOutput}: int64 [{settings.MaxLength}], the generated characters' vocabulary indices; {CharsOutput}: string [{settings.MaxLength}], the characters. " +
            (settings.UniformsInput is { } input
                ? $"{input}: double [1, {settings.MaxLength}], uniforms in [0, 1), one per generated character: each picks the first character whose cumulative probability exceeds it " +
                  (settings.Temperature == 0 ? "(unused: greedy decoding)." : $"(sampled at temperature {settings.Temperature}).")
                : settings.Temperature == 0 ? "Greedy decoding." : $"Sampled at temperature {settings.Temperature} with seed {settings.Seed}.");
        return g;
    }
}
