using PosTagging;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Tagging;

/// <summary>
/// The Brown corpus loader of samples/PosTagging (linked into this project) reads the split of
/// ../shared/data/README.md, as the PyTorch reference's load_pos does, and the parsing rules on a small folder.
/// </summary>
public class BrownCorpusTests
{
    [Fact]
    public void The_shared_corpus_splits_as_the_reference_does()
    {
        var (train, valid, test) = BrownCorpus.Load(TestData.Directory);
        // Measured with the reference's load_pos (tasks_torch.py prints n_test=115380 for --task pos).
        Assert.Equal((45917, 929446), (train.Count, train.Sum(s => s.Tokens.Count)));
        Assert.Equal((5861, 116366), (valid.Count, valid.Sum(s => s.Tokens.Count)));
        Assert.Equal((5562, 115380), (test.Count, test.Sum(s => s.Tokens.Count)));
        var all = train.Concat(valid).Concat(test).ToArray();
        Assert.Equal(472, all.SelectMany(s => s.Labels).Distinct().Count()); // as data/README.md says
        Assert.Equal(456, train.SelectMany(s => s.Labels).Distinct().Count());
        var known = train.SelectMany(s => s.Tokens).Select(w => w.ToLowerInvariant()).ToHashSet();
        Assert.Equal(44145, known.Count);
        Assert.Equal(4319, test.SelectMany(s => s.Tokens).Count(w => !known.Contains(w.ToLowerInvariant())));
        // The first sentence of ca01, the first file (test): words as written, tags after the last '/', lower-cased.
        Assert.Equal(["The", "Fulton", "County"], test[0].Tokens.Take(3));
        Assert.Equal(["at", "np-tl", "nn-tl"], test[0].Labels.Take(3));
    }

    [Fact]
    public void Files_go_to_splits_by_their_index_in_name_order()
    {
        using var dir = new TestData.TempDirectory();
        // Written out of order; 12 files: indices 0 and 10 test, 1 and 11 validation, the rest training.
        string[] names = ["cb02", "ca01", "ca03", "ca04", "ca05", "ca06", "ca07", "ca08", "ca09", "cb01", "ca10", "ca02"];
        foreach (string name in names) File.WriteAllText(dir.File(name), $"{name}/NN\n");
        File.WriteAllText(dir.File("cats.txt"), "not/a sentence/file\n");
        File.WriteAllText(dir.File("cz01"), "outside/the c[a-r] range\n");
        var (train, valid, test) = BrownCorpus.Load(dir.Path);
        Assert.Equal(["ca01", "cb01"], test.Select(s => s.Tokens[0]));
        Assert.Equal(["ca02", "cb02"], valid.Select(s => s.Tokens[0]));
        Assert.Equal(["ca03", "ca04", "ca05", "ca06", "ca07", "ca08", "ca09", "ca10"], train.Select(s => s.Tokens[0]));
    }

    [Fact]
    public void A_tag_follows_the_last_slash_and_blank_lines_are_skipped()
    {
        using var dir = new TestData.TempDirectory();
        File.WriteAllText(dir.File("ca01"), "\n\n\tHe/PPS  paid/VBD 1/2/CD-HL of/in it/ppo ./.\n   \n");
        var (_, _, test) = BrownCorpus.Load(dir.Path);
        var sentence = Assert.Single(test);
        Assert.Equal(["He", "paid", "1/2", "of", "it", "."], sentence.Tokens);
        Assert.Equal(["pps", "vbd", "cd-hl", "in", "ppo", "."], sentence.Labels);
    }

    [Fact]
    public void Bad_folders_and_tokens_are_named_in_the_error()
    {
        using var dir = new TestData.TempDirectory();
        Assert.Throws<DirectoryNotFoundException>(() => BrownCorpus.Load(dir.File("missing")));
        Assert.Throws<FileNotFoundException>(() => BrownCorpus.Load(dir.Path));
        File.WriteAllText(dir.File("ca01"), "good/nn bad\n");
        var e = Assert.Throws<InvalidDataException>(() => BrownCorpus.Load(dir.Path));
        Assert.Contains("ca01:1", e.Message);
        Assert.Contains("'bad'", e.Message);
    }
}
