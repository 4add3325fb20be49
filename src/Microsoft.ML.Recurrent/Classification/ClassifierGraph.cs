using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Onnx;

namespace Microsoft.ML.Recurrent.Classification;

/// <summary>
/// A <see cref="SequenceClassifierNetwork"/> as an ONNX graph over one sequence, in the shapes ML.NET's
/// OnnxTransformer accepts (it forces an unknown first dimension to 1): input <see cref="Input"/> is key values
/// [1, steps] (1-based, 0 = missing, which is exactly our token id with 0 the unknown token) or float [1, steps · width]. An empty input is read as one
/// unknown token (or one step of zeros), as the trainer reads it. The recurrent layers are the stack's emitter's
/// (<see cref="RecurrentStack"/>): one bidirectional node per layer when the classifier is bidirectional.
/// With n-grams, the naive Bayes evidence β · Σ W[row(g)] is added to the logits, the rows hashed as
/// <see cref="NgramBag.Row"/> does with int64 Mul/Add/Mod.
/// Outputs: binary <see cref="LogOdds"/> (z₁ − z₀, [1]); multiclass <see cref="Score"/> (class probabilities
/// [classes]) and <see cref="PredictedIndex"/> (uint32 [1], 0-based); given the class names, <see cref="Score"/> carries
/// them as ML.NET slot names (<see cref="GraphBuilder.SlotNames"/>).
/// </summary>
internal static class ClassifierGraph
{
    public const string Name = "sequence_classifier";
    public const string Input = "rnn_sequence";
    public const string Score = "Score", LogOdds = "rnn_log_odds", PredictedIndex = "rnn_predicted_index";

    public static GraphBuilder Build(ClassifierShape shape, bool binary, ElementType keyType = ElementType.UInt32, string[]? classNames = null)
    {
        var g = new GraphBuilder(Name);
        string x, ids = "";
        if (shape.TokenInput)
        {
            g.Graph.Inputs.Add(new ValueInfoProto(Input, keyType, [1, "steps"])); // ML.NET passes keys as their raw type
            ids = NonEmpty(g, g.Cast(g.Squeeze(Input, 0), ElementType.Int64), g.Int64s(0), 1);
            x = g.Add("Add", [g.Add("Gather", [ClassifierWeights.Embedding, ids], AttributeProto.Of("axis", 0L)), ClassifierWeights.EmbeddingBias]);
        }
        else
        {
            g.Graph.Inputs.Add(new ValueInfoProto(Input, ElementType.Float, [1, "values"]));
            x = g.Add("Reshape", [NonEmpty(g, g.Squeeze(Input, 0), g.Floats(new float[shape.InputWidth]), shape.InputWidth), g.Int64s(-1, shape.InputWidth)]);
        }
        var (outputs, _, _) = new RecurrentStack(shape.Stack).Layers(g, g.Unsqueeze(x, 1)); // [steps, batch = 1, width] -> [steps, 1, D·H]
        string states = g.Squeeze(outputs, 1); // [steps, D·H]
        string pooled = shape.Pooling switch
        {
            // Opset 17's ReduceMax/ReduceMean take axes as a list attribute, which our writer does not emit:
            // max is the element at ArgMax, mean is ReduceSum (axes as an input) over the step count.
            SequencePooling.Max => g.Add("GatherElements", [states, g.Add("ArgMax", [states], AttributeProto.Of("axis", 0L), AttributeProto.Of("keepdims", 1L))],
                AttributeProto.Of("axis", 0L)),
            SequencePooling.Mean => g.Add("Div", [g.Add("ReduceSum", [states, g.Int64s(0)], AttributeProto.Of("keepdims", 1L)),
                g.Cast(g.Add("Gather", [g.Add("Shape", [states]), g.Int64(0)], AttributeProto.Of("axis", 0L)), ElementType.Float)]),
            _ => Last(g, shape, states),
        };
        string logits = g.Add("Add", [g.Add("MatMul", [pooled, ClassifierWeights.OutputWeight]), ClassifierWeights.OutputBias]); // [1, C]
        if (shape.NgramLength > 0) logits = g.Add("Add", [logits, NgramEvidence(g, shape, ids)]);
        if (binary)
        {
            g.AddNamed("Sub", [g.Add("Gather", [logits, g.Int64(1)], AttributeProto.Of("axis", 1L)),
                g.Add("Gather", [logits, g.Int64(0)], AttributeProto.Of("axis", 1L))], LogOdds);
            g.Graph.Outputs.Add(new ValueInfoProto(LogOdds, ElementType.Float, [1]));
        }
        else
        {
            g.AddNamed("Reshape", [g.Add("Softmax", [logits], AttributeProto.Of("axis", -1L)), g.Int64s(shape.Classes)], Score);
            g.AddNamed("Cast", [g.Add("ArgMax", [logits], AttributeProto.Of("axis", 1L), AttributeProto.Of("keepdims", 0L))], PredictedIndex,
                AttributeProto.Of("to", (long)ElementType.UInt32));
            g.Graph.Outputs.Add(new ValueInfoProto(Score, ElementType.Float, [shape.Classes]));
            g.Graph.Outputs.Add(new ValueInfoProto(PredictedIndex, ElementType.UInt32, [1]));
            if (classNames is not null) g.SlotNames(Score, classNames);
        }
        return g;
    }

    // β · Σ W[row(g)] over the n-grams of ids [steps] (int64), [1, C]; rows hashed as NgramBag.Row does.
    private static string NgramEvidence(GraphBuilder g, ClassifierShape shape, string ids)
    {
        var rows = new List<string> { ids };
        for (int n = 2; n <= shape.NgramLength; n++)
        {
            // the j-th ids of every n-gram: ids[j .. steps − (n − 1 − j)], empty when the sequence is shorter than n
            string Part(int j) => g.Add("Slice", [ids, g.Int64s(j), g.Int64s(j == n - 1 ? long.MaxValue : j - (n - 1))]);
            string h = g.Add("Mod", [g.Add("Add", [Part(0), g.Int64s(n * NgramBag.HashMultiplier)]), g.Int64s(shape.NgramBuckets)]);
            for (int j = 1; j < n; j++)
                h = g.Add("Mod", [g.Add("Add", [g.Add("Mul", [h, g.Int64s(NgramBag.HashMultiplier)]), Part(j)]), g.Int64s(shape.NgramBuckets)]);
            rows.Add(g.Add("Add", [h, g.Int64s(shape.Vocabulary)]));
        }
        string all = rows.Count == 1 ? ids : g.Add("Concat", [.. rows], AttributeProto.Of("axis", 0L));
        string sum = g.Add("ReduceSum", [g.Add("Gather", [ClassifierWeights.NgramTable, all], AttributeProto.Of("axis", 0L)), g.Int64s(0)],
            AttributeProto.Of("keepdims", 1L));
        return g.Add("Mul", [sum, ClassifierWeights.NgramScale]);
    }

    // x (1-D) → x, or the padding when x is empty: Slice(Concat(x, pad), 0, max(|x|, |pad|)).
    private static string NonEmpty(GraphBuilder g, string x, string padding, long paddingLength)
    {
        string end = g.Add("Max", [g.Add("Shape", [x]), g.Int64s(paddingLength)]);
        return g.Add("Slice", [g.Add("Concat", [x, padding], AttributeProto.Of("axis", 0L)), g.Int64s(0), end]);
    }

    // forward state at the last step and backward state at step 0, [1, D·H]
    private static string Last(GraphBuilder g, ClassifierShape shape, string states)
    {
        int h = shape.Hidden;
        string forward = g.Add("Slice", [states, g.Int64s(-1), g.Int64s(long.MaxValue), g.Int64s(0)]);
        string forwardPart = g.Add("Slice", [forward, g.Int64s(0), g.Int64s(h), g.Int64s(1)]);
        if (shape.Directions == 1) return forwardPart;
        string first = g.Add("Slice", [states, g.Int64s(0), g.Int64s(1), g.Int64s(0)]);
        string backwardPart = g.Add("Slice", [first, g.Int64s(h), g.Int64s(2 * h), g.Int64s(1)]);
        return g.Add("Concat", [forwardPart, backwardPart], AttributeProto.Of("axis", 1L));
    }
}
