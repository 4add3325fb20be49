using Microsoft.ML.Recurrent.Captioning;
using Microsoft.ML.Recurrent.Text;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Captioning;

/// <summary>How the caption trainer lays out a teacher-forced batch: inputs, targets, padding, and cut captions.</summary>
public sealed class CaptionBatchTests
{
    [Fact]
    public void A_whole_caption_ends_with_END_a_cut_one_has_no_END_target_and_padding_has_none()
    {
        (int, int[], bool)[] pairs = [(0, [5, 6], false), (1, [7, 8, 9], true)];
        var features = new float[] { 0.5f, 1.5f };
        var batchFeatures = new float[2];
        var ids = new int[8];
        var targets = new int[8];
        int steps = CaptionTrainer.Fill(pairs, [0, 1], features, 1, batchFeatures, ids, targets, out int count);

        Assert.Equal(4, steps); // the longest caption + 1
        Assert.Equal([0.5f, 1.5f], batchFeatures);
        // time-major rows t·2 + b; b 0: <START> 5 6 <END> → 5 6 <END> −1; b 1: <START> 7 8 9 → 7 8 9 −1 (cut: no <END>)
        int s = WordVocabulary.Start, e = WordVocabulary.End;
        Assert.Equal([s, s, 5, 7, 6, 8, e, 9], ids);
        Assert.Equal([5, 7, 6, 8, e, 9, -1, -1], targets);
        Assert.Equal(6, count);
    }

    [Fact]
    public void Captions_longer_than_MaxCaptionLength_are_cut_by_training_itself_and_teach_no_END()
    {
        string[][] captions = [["a red square", "a big red square on the left"], [""], ["a blue circle"]];
        var vocabulary = WordVocabulary.Build(captions.SelectMany(c => c), minCount: 1);
        var pairs = ImageCaptioner.TrainingPairs(vocabulary, captions, maxLength: 3);

        // The empty caption is left out; three words fit exactly (not cut), seven are cut to three and marked.
        Assert.Equal([(0, false), (0, true), (2, false)], pairs.Select(p => (p.Image, p.Cut)));
        Assert.All(pairs, p => Assert.Equal(3, p.Words.Length));
        Assert.Equal(vocabulary.Encode("a big red"), pairs[1].Words);

        var ids = new int[3 * 4];
        var targets = new int[3 * 4];
        int steps = CaptionTrainer.Fill(pairs, [0, 1, 2], new float[3], 1, new float[3], ids, targets, out _);
        Assert.Equal(4, steps);
        int e = WordVocabulary.End;
        Assert.Equal([e, -1, e], targets.AsSpan(3 * 3, 3).ToArray()); // the last step: <END> for whole captions, none for the cut one
    }
}
