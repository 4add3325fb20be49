using Microsoft.ML.Recurrent.Numerics;

namespace Microsoft.ML.Recurrent.Tests.Tagging;

/// <summary>
/// A small synthetic tagging language whose tags depend on spelling and on context, so that a tagger must use both:
/// nouns end in "on", verbs in "ed", adjectives in "ous" (random stems, so held-out sentences can use words never
/// seen in training), "the"/"a" are determiners, and "run" is a noun after a determiner and a verb otherwise.
/// </summary>
internal static class TaggerTestData
{
    private static readonly string[] Endings = ["on", "ed", "ous"];
    private static readonly string[] Tags = ["N", "V", "ADJ"];

    /// <summary><paramref name="count"/> sentences whose content words come from stems drawn with <paramref name="stemSeed"/>.</summary>
    public static List<TaggedSentence> Sentences(int count, int seed, int stemSeed = 0, int stems = 40)
    {
        var stemRandom = new RandomSource(stemSeed + 1000);
        var pool = Enumerable.Range(0, stems).Select(_ => Stem(stemRandom)).ToArray();
        var random = new RandomSource(seed);
        var sentences = new List<TaggedSentence>();
        for (int s = 0; s < count; s++)
        {
            var tokens = new List<string>();
            var tags = new List<string>();
            int length = 2 + (int)(random.NextUInt() % 9);
            while (tokens.Count < length)
            {
                uint kind = random.NextUInt() % 5;
                if (kind == 0)
                {
                    tokens.Add(random.NextUInt() % 2 == 0 ? "the" : "a");
                    tags.Add("DET");
                }
                else if (kind == 1)
                {
                    tags.Add(tags.Count > 0 && tags[^1] == "DET" ? "N" : "V");
                    tokens.Add("run");
                }
                else
                {
                    int k = (int)(random.NextUInt() % 3);
                    tokens.Add(pool[random.NextUInt() % (uint)pool.Length] + Endings[k]);
                    tags.Add(Tags[k]);
                }
            }
            sentences.Add(new TaggedSentence(tokens, tags));
        }
        return sentences;
    }

    public static double Accuracy(SequenceTagger tagger, IReadOnlyList<TaggedSentence> sentences)
    {
        var predicted = tagger.Tag(sentences.Select(s => s.Tokens));
        long right = 0, total = 0;
        for (int i = 0; i < sentences.Count; i++)
            for (int t = 0; t < sentences[i].Labels.Count; t++, total++)
                if (predicted[i][t] == sentences[i].Labels[t]) right++;
        return (double)right / total;
    }

    private static string Stem(RandomSource random)
    {
        const string consonants = "bcdfghklmnprstvz", vowels = "aeiu";
        int syllables = 1 + (int)(random.NextUInt() % 3);
        var chars = new List<char>();
        for (int i = 0; i < syllables; i++)
        {
            chars.Add(consonants[(int)(random.NextUInt() % (uint)consonants.Length)]);
            chars.Add(vowels[(int)(random.NextUInt() % (uint)vowels.Length)]);
        }
        return new string([.. chars]);
    }
}
