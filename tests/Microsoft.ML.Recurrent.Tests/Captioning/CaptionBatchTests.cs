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
}
