using Microsoft.ML.Recurrent.Onnx;

namespace Microsoft.ML.Recurrent.LanguageModel;

/// <summary>
/// The generator graph: a prompt as UTF-16 code units [1, n] (uint16) → <see cref="IdsOutput"/> [MaxLength]
/// (int64 vocabulary indices) and <see cref="CharsOutput"/> [MaxLength] (one string per character). The prompt
/// primes the stack (<see cref="PromptEncoding"/>), then the <see cref="DecodeLoop"/> picks a character and feeds it
/// back, MaxLength times, exactly as <see cref="Sampler"/> does.
/// </summary>
/// <remarks>
/// Temperature sampling replays the sampler's random stream (see <see cref="DecodeLoop"/>), so the same prompt always
/// gives the same text, as in our engine; results agree with it except where a uniform falls within float rounding
/// of a cumulative boundary.
/// </remarks>
internal static class GeneratorGraph
{
    public const string Name = "char_generator";
    public const string Input = "prompt_units", IdsOutput = "generated_ids", CharsOutput = "generated_chars";

    public static GraphBuilder Build(LanguageModelShape shape, CharVocabulary vocabulary, GenerationSettings settings)
    {
        var g = new GraphBuilder(Name);
        var stack = shape.OnnxStack();
        g.Graph.Inputs.Add(new ValueInfoProto(Input, ElementType.UInt16, [1, "prompt_length"]));

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
            (settings.Temperature == 0 ? "Greedy decoding." : $"Sampled at temperature {settings.Temperature} with seed {settings.Seed}.");
        return g;
    }
}
