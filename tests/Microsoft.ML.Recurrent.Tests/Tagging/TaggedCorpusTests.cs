using System.Text;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Tagging;

/// <summary>The CoNLL and slash-tagged readers, the CoNLL writer, and the real Brown corpus.</summary>
public class TaggedCorpusTests
{
    private static IReadOnlyList<TaggedSentence> Conll(string text) => TaggedCorpus.ReadConll(new StringReader(text));

    [Fact]
    public void Conll_reads_tabs_and_conll2003_columns_and_skips_document_starts()
    {
        const string text = "-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n\n\n  \nNew York\tB-LOC\nis\tO\n-DOCSTART-\tO\nPeter\tB-PER";
        var sentences = Conll(text);
        Assert.Equal(3, sentences.Count);
        Assert.Equal(["EU", "rejects"], sentences[0].Tokens);
        Assert.Equal(["B-ORG", "O"], sentences[0].Labels);
        Assert.Equal(["New York", "is"], sentences[1].Tokens); // a tab line is split at tabs only
        Assert.Equal(["B-LOC", "O"], sentences[1].Labels);
        Assert.Equal(["Peter"], sentences[2].Tokens); // the last sentence needs no blank line after it
    }

    [Fact]
    public void Conll_errors_name_the_line()
    {
        var e = Assert.Throws<InvalidDataException>(() => Conll("a\tO\n\nb\tO\nlonely\n"));
        Assert.StartsWith("Line 4: 'lonely' has one column", e.Message);
        using var dir = new TestData.TempDirectory();
        File.WriteAllText(dir.File("bad.conll"), "a O\nb\n");
        var file = Assert.Throws<InvalidDataException>(() => TaggedCorpus.ReadConll(dir.File("bad.conll")));
        Assert.Contains("bad.conll' line 2: 'b' has one column", file.Message);
        Assert.Throws<FileNotFoundException>(() => TaggedCorpus.ReadConll(dir.File("missing.conll")));
    }

    [Fact]
    public void Files_are_utf8_with_or_without_a_byte_order_mark()
    {
        using var dir = new TestData.TempDirectory();
        File.WriteAllText(dir.File("bom.conll"), "Zürich\tB-LOC\n", new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        Assert.Equal(["Zürich"], TaggedCorpus.ReadConll(dir.File("bom.conll"))[0].Tokens);
        File.WriteAllBytes(dir.File("latin1.txt"), Encoding.Latin1.GetBytes("ok/jj\nZ\u00fcrich/np\n"));
        var e = Assert.Throws<InvalidDataException>(() => TaggedCorpus.ReadSlashTagged(dir.File("latin1.txt")));
        Assert.Contains("not valid UTF-8", e.Message);
    }

    [Fact]
    public void Slash_tagged_splits_at_the_last_slash_and_keeps_labels_as_written()
    {
        var sentences = TaggedCorpus.ReadSlashTagged(new StringReader("\tThe/at 1/2/cd //in Co./NN-TL\n\n\nok/jj\n"));
        Assert.Equal(2, sentences.Count);
        Assert.Equal(["The", "1/2", "/", "Co."], sentences[0].Tokens);
        Assert.Equal(["at", "cd", "in", "NN-TL"], sentences[0].Labels);
        var noSlash = Assert.Throws<InvalidDataException>(() => TaggedCorpus.ReadSlashTagged(new StringReader("a/at\n\nb/nn word c/nn")));
        Assert.StartsWith("Line 3: token 2 ('word') is not word/tag", noSlash.Message);
        Assert.Throws<InvalidDataException>(() => TaggedCorpus.ReadSlashTagged(new StringReader("word/")));
        Assert.Throws<InvalidDataException>(() => TaggedCorpus.ReadSlashTagged(new StringReader("/tag")));
    }

    [Fact]
    public void WriteConll_round_trips()
    {
        TaggedSentence[] sentences = [new(["New York", "is", "big", "."], ["B-LOC", "O", "O", "O"]), new(["-DOCSTART"], ["NN"]), new(["x"], ["y z"])];
        var writer = new StringWriter();
        TaggedCorpus.WriteConll(writer, sentences);
        Assert.StartsWith("New York\tB-LOC\nis\tO\n", writer.ToString());
        var read = Conll(writer.ToString());
        Assert.Equal(sentences.Length, read.Count);
        for (int i = 0; i < sentences.Length; i++)
        {
            Assert.Equal(sentences[i].Tokens, read[i].Tokens);
            Assert.Equal(sentences[i].Labels, read[i].Labels);
        }
    }

    [Fact]
    public void WriteConll_refuses_what_would_not_read_back()
    {
        static void Write(params TaggedSentence[] s) => TaggedCorpus.WriteConll(new StringWriter(), s);
        static TaggedSentence T(string[] tokens, string[] labels) => new(tokens, labels);
        Assert.Contains("Sentence 1 is empty", Assert.Throws<ArgumentException>(() => Write(T(["a"], ["X"]), T([], []))).Message);
        Assert.Contains("token 1", Assert.Throws<ArgumentException>(() => Write(T(["a", "b\tc"], ["X", "Y"]))).Message);
        Assert.Throws<ArgumentException>(() => Write(T(["a"], ["X "])));
        Assert.Throws<ArgumentException>(() => Write(T(["a\nb"], ["X"])));
        Assert.Throws<ArgumentException>(() => Write(T(["-DOCSTART-"], ["O"])));
    }

    [Fact]
    public void Reads_the_first_Brown_file()
    {
        var sentences = TaggedCorpus.ReadSlashTagged(Path.Combine(TestData.Directory, "brown", "ca01"));
        // Measured with awk on ca01: 98 non-blank lines, 2,242 white-space separated tokens.
        Assert.Equal(98, sentences.Count);
        Assert.Equal(2242, sentences.Sum(s => s.Tokens.Count));
        Assert.Equal(["The", "Fulton", "County"], sentences[0].Tokens.Take(3));
        Assert.Equal(["at", "np-tl", "nn-tl"], sentences[0].Labels.Take(3));
        Assert.Equal(("Atlanta's", "np$"), (sentences[0].Tokens[10], sentences[0].Labels[10]));
    }
}
