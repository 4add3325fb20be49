using Microsoft.ML.Recurrent.Models;
using Microsoft.ML.Recurrent.Numerics;

namespace Microsoft.ML.Recurrent.Onnx;

/// <summary>How a generator graph decodes: a fixed number of characters, greedy (temperature 0) or sampled.</summary>
internal sealed record GenerationSettings(int MaxLength, float Temperature, int Seed);

/// <summary>
/// The generator graph: a prompt as UTF-16 code units [1, n] (uint16) → <see cref="IdsOutput"/> [MaxLength]
/// (int64 vocabulary indices) and <see cref="CharsOutput"/> [MaxLength] (one string per character). The prompt
/// primes the stack (<see cref="PromptEncoding"/>), then an ONNX Loop picks a character and feeds it back,
/// MaxLength times, exactly as <see cref="Decoding.Sampler"/> does.
/// </summary>
/// <remarks>
/// Temperature sampling must reproduce our sampler, whose random stream is fixed by the seed and consumed one
/// uniform per character. ONNX's Multinomial has its own generator, so instead the graph carries those
/// MaxLength uniforms (<see cref="RandomSource.NextDouble"/> from the seed) as a constant and picks the first
/// index whose cumulative probability (summed in double, like the sampler) exceeds the step's uniform. The
/// same prompt therefore always gives the same text, as in our engine; results agree with it except where
/// a uniform falls within float rounding of a cumulative boundary.
/// </remarks>
internal static class GeneratorGraph
{
    public const string Name = "char_generator";
    public const string Input = "prompt_units", IdsOutput = "generated_ids", CharsOutput = "generated_chars";

    public static GraphBuilder Build(NetworkShape shape, CharVocabulary vocabulary, GenerationSettings settings)
    {
        var g = new GraphBuilder(Name);
        var stack = new RecurrentStack(shape);
        g.Graph.Inputs.Add(new ValueInfoProto(Input, ElementType.UInt16, [1, "prompt_length"]));

        string prompt = PromptEncoding.Emit(g, Input, vocabulary);
        var (_, h, c) = stack.Layers(g, g.Unsqueeze(stack.OneHot(g, prompt), 1));
        string logits = stack.Logits(g, g.Squeeze(h[^1], 0)); // the last layer's final state [1, 1, H] -> [1, V]

        var body = DecodeStep(g, stack, settings, h.Length, c.Length);
        string[] carried = [logits, .. h, .. c];
        string[] loopOutputs = [.. carried.Select(_ => g.Fresh("final")), g.Fresh("picked")];
        g.AddMany("Loop", [g.Int64(settings.MaxLength), "", .. carried], loopOutputs, AttributeProto.Of("body", body));
        g.AddNamed("Reshape", [loopOutputs[^1], g.Int64s(settings.MaxLength)], IdsOutput); // [MaxLength, 1] -> [MaxLength]
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

    // (iteration, cond, logits [1, V], h_l [1, 1, H]..., c_l...) -> (cond, logits', h', c', picked id [1])
    private static GraphProto DecodeStep(GraphBuilder outer, RecurrentStack stack, GenerationSettings settings, int layers, int cells)
    {
        var shape = stack.Shape;
        var b = outer.Subgraph("decode_step");
        string iteration = b.Fresh("iteration"), condIn = b.Fresh("cond_in"), logitsIn = b.Fresh("logits_in");
        string[] hIn = [.. Enumerable.Range(0, layers).Select(_ => b.Fresh("h_in"))];
        string[] cIn = [.. Enumerable.Range(0, cells).Select(_ => b.Fresh("c_in"))];
        b.Graph.Inputs.Add(new ValueInfoProto(iteration, ElementType.Int64, []));
        b.Graph.Inputs.Add(new ValueInfoProto(condIn, ElementType.Bool, []));
        b.Graph.Inputs.Add(new ValueInfoProto(logitsIn, ElementType.Float, [1, stack.Vocabulary]));
        foreach (string s in hIn.Concat(cIn)) b.Graph.Inputs.Add(new ValueInfoProto(s, ElementType.Float, [1, 1, shape.Hidden]));

        string picked = settings.Temperature == 0
            ? b.Add("ArgMax", [logitsIn], AttributeProto.Of("axis", 1L), AttributeProto.Of("keepdims", 0L)) // first maximum, like IndexOfMax
            : Sample(outer, b, iteration, logitsIn, settings, stack.Vocabulary);
        var (_, h, c) = stack.Layers(b, b.Unsqueeze(stack.OneHot(b, picked), 0), hIn, cIn);
        string logits = stack.Logits(b, b.Squeeze(h[^1], 0));
        string condOut = b.Add("Identity", [condIn]);

        b.Graph.Outputs.Add(new ValueInfoProto(condOut, ElementType.Bool, []));
        b.Graph.Outputs.Add(new ValueInfoProto(logits, ElementType.Float, [1, stack.Vocabulary]));
        foreach (string s in h.Concat(c)) b.Graph.Outputs.Add(new ValueInfoProto(s, ElementType.Float, [1, 1, shape.Hidden]));
        b.Graph.Outputs.Add(new ValueInfoProto(picked, ElementType.Int64, [1]));
        return b.Graph;
    }

    // The sampler's rule: the first i with u < Σ_{j ≤ i} softmax(logits / T)_j, else the last index.
    private static string Sample(GraphBuilder outer, GraphBuilder b, string iteration, string logits, GenerationSettings settings, int vocabulary)
    {
        var random = new RandomSource(settings.Seed);
        double[] uniforms = [.. Enumerable.Range(0, settings.MaxLength).Select(_ => random.NextDouble())];
        string table = outer.Initializer(TensorProto.Doubles("sampling_uniforms", [uniforms.Length], uniforms));
        string u = b.Add("Gather", [table, iteration], AttributeProto.Of("axis", 0L));
        string probabilities = b.Add("Softmax", [b.Add("Div", [logits, b.Float(settings.Temperature)])], AttributeProto.Of("axis", -1L));
        string cumulative = b.Add("CumSum", [b.Cast(probabilities, ElementType.Double), b.Int64(1)]);
        string below = b.Cast(b.Add("LessOrEqual", [cumulative, u]), ElementType.Int64);
        string count = b.Add("ReduceSum", [below, b.Int64s(1)], AttributeProto.Of("keepdims", 0L));
        return b.Add("Min", [count, b.Int64s(vocabulary - 1)]);
    }
}
