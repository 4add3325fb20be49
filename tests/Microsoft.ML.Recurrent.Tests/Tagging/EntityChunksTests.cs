using Microsoft.ML.Recurrent.Tagging;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Tagging;

/// <summary>conlleval's chunk rules (startOfChunk/endOfChunk) on the cases where tagging schemes differ.</summary>
public class EntityChunksTests
{
    private static (int, int, string)[] Spans(params string[] labels) => [.. EntityChunks.Spans(labels)];

    [Fact]
    public void Bio_chunks_end_at_O_and_at_the_next_B()
    {
        Assert.Equal([(0, 2, "PER"), (3, 4, "LOC"), (4, 6, "LOC")], Spans("B-PER", "I-PER", "O", "B-LOC", "B-LOC", "I-LOC"));
        Assert.Empty(Spans("O", "O"));
    }

    [Fact]
    public void Iob1_an_I_after_O_or_after_another_type_starts_a_chunk()
    {
        // IOB1 writes B only between two adjacent chunks of one type.
        Assert.Equal([(0, 2, "PER"), (3, 4, "LOC"), (4, 6, "LOC")], Spans("I-PER", "I-PER", "O", "I-LOC", "B-LOC", "I-LOC"));
        // A type change ends a chunk and starts one, whatever the prefix.
        Assert.Equal([(0, 1, "PER"), (1, 3, "LOC")], Spans("B-PER", "I-LOC", "I-LOC"));
        Assert.Equal([(0, 1, "PER"), (1, 2, "LOC")], Spans("I-PER", "I-LOC"));
        // An I after an O, as a tagger may predict: a chunk of its own.
        Assert.Equal([(0, 1, "X"), (2, 3, "X")], Spans("B-X", "O", "I-X"));
    }

    [Fact]
    public void Ioe_an_E_closes_a_chunk()
    {
        Assert.Equal([(0, 2, "NP"), (2, 4, "NP")], Spans("I-NP", "E-NP", "I-NP", "E-NP"));
        Assert.Equal([(0, 1, "NP"), (1, 2, "NP")], Spans("E-NP", "E-NP"));
        Assert.Equal([(0, 2, "X"), (2, 3, "X")], Spans("B-X", "E-X", "I-X"));
    }

    [Fact]
    public void Iobes_S_is_a_chunk_of_one_and_E_then_B_are_two_chunks()
    {
        // The cases the original Perl script has no rule for (it reads S-PER S-PER and E-LOC B-LOC as one chunk each).
        Assert.Equal([(0, 1, "PER"), (1, 2, "PER"), (2, 4, "LOC"), (4, 7, "LOC"), (8, 9, "ORG")],
            Spans("S-PER", "S-PER", "B-LOC", "E-LOC", "B-LOC", "I-LOC", "E-LOC", "O", "S-ORG"));
        Assert.Equal([(0, 2, "X"), (2, 3, "X")], Spans("B-X", "I-X", "S-X"));
        Assert.Equal([(0, 1, "X"), (1, 2, "X")], Spans("S-X", "I-X"));
    }

    [Fact]
    public void Only_O_and_B_I_E_S_prefixes_are_chunk_labels()
    {
        Assert.True(EntityChunks.IsChunkLabel("O"));
        Assert.True(EntityChunks.IsChunkLabel("B-PER"));
        Assert.True(EntityChunks.IsChunkLabel("S-MISC"));
        Assert.False(EntityChunks.IsChunkLabel("b-per"));
        Assert.False(EntityChunks.IsChunkLabel("nn-tl"));
        Assert.False(EntityChunks.IsChunkLabel("o"));
        Assert.False(EntityChunks.IsChunkLabel("B"));
    }
}
