using Microsoft.ML.Recurrent.Captioning;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Text;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Captioning;

/// <summary>
/// Beam search against a plain reference written from the textbook rule: keep the best B partial sentences by
/// total log-probability, move the ones that end (or reach the length limit) to the finished list, go on until no
/// partial sentence is left, and return the finished sentence with the best mean log-probability per word (or, without
/// length normalisation, the best total log-probability).
/// </summary>
public sealed class BeamSearchTests
{
    private const int MaxLength = 8;

    [Fact]
    public void Beam_search_returns_the_best_sentence_of_the_full_width_beam()
    {
        var (captioner, _) = TinyCaptionTask.HalfTrained(RecurrentCell.Gru, epochs: 2); // several sentences compete
        var random = new Random(3);
        int differFromEarlyStop = 0;
        for (int i = 0; i < 30; i++)
        {
            var x = Enumerable.Range(0, TinyCaptionTask.FeatureCount).Select(_ => (float)random.NextDouble() * 1.5f).ToArray();
            foreach (int beam in new[] { 2, 3 })
            {
                var expected = Reference(captioner.Network, x, beam, stopAtBeamFinished: false);
                Assert.Equal(expected, new CaptionDecoder(captioner.Network).Beam(x, MaxLength, beam));
                if (!expected.SequenceEqual(Reference(captioner.Network, x, beam, stopAtBeamFinished: true))) differFromEarlyStop++;
            }
        }
        // Stopping once B sentences have finished lets short early ones crowd out better, longer ones: the cases
        // above must include some where that rule gives another sentence, or this test could not tell them apart.
        Assert.True(differFromEarlyStop > 0, "no input separates the full-width beam from the early-stopping one");
    }

    [Fact]
    public void Beam_search_without_length_normalisation_returns_the_most_likely_finished_sentence()
    {
        var (captioner, _) = TinyCaptionTask.HalfTrained(RecurrentCell.Gru, epochs: 2);
        var random = new Random(3);
        int differFromNormalised = 0;
        for (int i = 0; i < 30; i++)
        {
            var x = Enumerable.Range(0, TinyCaptionTask.FeatureCount).Select(_ => (float)random.NextDouble() * 1.5f).ToArray();
            var expected = Reference(captioner.Network, x, 3, stopAtBeamFinished: false, lengthNormalized: false);
            Assert.Equal(expected, new CaptionDecoder(captioner.Network).Beam(x, MaxLength, 3, lengthNormalized: false));
            if (!expected.SequenceEqual(Reference(captioner.Network, x, 3, stopAtBeamFinished: false))) differFromNormalised++;
        }
        // Totals favour short sentences: some inputs must tell the two rules apart, or this test could not.
        Assert.True(differFromNormalised > 0, "no input separates total from mean log-probability");
    }

    private static List<int> Reference(CaptionNetwork network, float[] features, int beam, bool stopAtBeamFinished, bool lengthNormalized = true)
    {
        var workspace = network.CreateWorkspace(1, 1);
        var start = network.CreateStates(1);
        network.Begin(workspace, features, start);
        var live = new List<(List<int> Words, double Score, RecurrentState[] States)> { ([], 0, start) };
        var finished = new List<(List<int> Words, double Score)>();
        int vocabulary = network.Shape.Vocabulary;
        while (live.Count > 0 && !(stopAtBeamFinished && finished.Count >= beam))
        {
            var candidates = new List<(int Parent, int Word, double Score, RecurrentState[] States)>();
            for (int p = 0; p < live.Count; p++)
            {
                var states = Copy(network, live[p].States);
                network.Forward(workspace, [live[p].Words.Count == 0 ? WordVocabulary.Start : live[p].Words[^1]], states, 1, null);
                var logits = workspace.Logits.AsSpan(0, vocabulary);
                float max = System.Numerics.Tensors.TensorPrimitives.Max(logits);
                double sum = 0;
                foreach (float z in logits) sum += Math.Exp(z - max);
                float shift = max + (float)Math.Log(sum);
                for (int w = 0; w < vocabulary; w++) candidates.Add((p, w, live[p].Score + (logits[w] - shift), states));
            }
            var next = new List<(List<int>, double, RecurrentState[])>();
            int keep = stopAtBeamFinished ? beam - finished.Count : beam;
            // best first; ties to the earlier parent, then the smaller word id
            foreach (var c in candidates.OrderByDescending(c => c.Score).ThenBy(c => c.Parent).ThenBy(c => c.Word).Take(keep))
            {
                var words = live[c.Parent].Words;
                if (c.Word == WordVocabulary.End) finished.Add((words, c.Score));
                else if (words.Count + 1 >= MaxLength) finished.Add(([.. words, c.Word], c.Score));
                else next.Add(([.. words, c.Word], c.Score, c.States));
            }
            live = next;
        }
        return finished.OrderByDescending(f => lengthNormalized ? f.Score / (f.Words.Count + 1) : f.Score).First().Words;
    }

    private static RecurrentState[] Copy(CaptionNetwork network, RecurrentState[] states)
    {
        var copy = network.CreateStates(1);
        for (int l = 0; l < copy.Length; l++) copy[l].CopyFrom(states[l]);
        return copy;
    }
}
