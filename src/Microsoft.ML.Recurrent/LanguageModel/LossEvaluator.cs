using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Numerics;

namespace Microsoft.ML.Recurrent.LanguageModel;

/// <summary>Mean negative log-likelihood (nats per character) of a text, with the state carried across chunks.</summary>
internal sealed class LossEvaluator(LanguageNetwork network, TextStreams streams)
{
    private readonly LanguageModelWorkspace _workspace = network.CreateWorkspace(streams.Steps, streams.Batch);
    private readonly RecurrentState[] _states = network.CreateStates(streams.Batch);
    private readonly int[] _inputs = new int[streams.Steps * streams.Batch];
    private readonly int[] _targets = new int[streams.Steps * streams.Batch];

    public double Evaluate()
    {
        foreach (var s in _states) s.Reset();
        double total = 0;
        int rows = _inputs.Length, vocabulary = network.Shape.Vocabulary;
        for (int chunk = 0; chunk < streams.Chunks; chunk++)
        {
            streams.Fill(chunk, _inputs, _targets);
            network.Forward(_workspace, _inputs, _states, streams.Steps, dropout: null);
            total += SoftmaxCrossEntropy.Loss(_workspace.Logits.AsSpan(0, rows * vocabulary), _targets, rows, vocabulary);
        }
        return total / streams.Characters;
    }
}
