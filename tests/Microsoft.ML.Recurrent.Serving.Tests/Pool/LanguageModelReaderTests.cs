using Microsoft.ML.Recurrent.Serving.Tests.Fixtures;
using Xunit;

namespace Microsoft.ML.Recurrent.Serving.Tests.Pool;

/// <summary>Changes the process's TMPDIR, so it runs alone: no other test may need the temporary folder meanwhile.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TemporaryFolderCollection
{
    public const string Name = "Temporary folder changed";
}

/// <summary>Model bytes become a model in memory, whatever their kind.</summary>
[Collection(TemporaryFolderCollection.Name)]
public sealed class LanguageModelReaderTests
{
    private static byte[] RnnlmBytes(TempFolder folder)
    {
        string rnnlm = folder.File("a.rnnlm");
        TinyModels.ModelA.Save(rnnlm);
        return File.ReadAllBytes(rnnlm);
    }

    [Fact]
    public void An_rnnlm_file_is_read_from_its_bytes_without_the_temporary_folder()
    {
        using var folder = new TempFolder();
        byte[] bytes = RnnlmBytes(folder);

        // A temporary folder that does not exist: any file written there would fail the read.
        string? saved = Environment.GetEnvironmentVariable("TMPDIR");
        Environment.SetEnvironmentVariable("TMPDIR", folder.File("no-such-folder") + "/");
        CharLanguageModel model;
        try
        {
            Assert.StartsWith(folder.File("no-such-folder"), Path.GetTempPath());
            model = LanguageModelReader.Read(bytes);
        }
        finally
        {
            Environment.SetEnvironmentVariable("TMPDIR", saved);
        }
        Assert.False(Directory.Exists(folder.File("no-such-folder")));
        Assert.Equal(TinyModels.ModelA.Generate("a cat", 50, 0.7f, 3), model.Generate("a cat", 50, 0.7f, 3));
    }

    [Fact]
    public void Damaged_rnnlm_bytes_are_a_clear_error()
    {
        using var folder = new TempFolder();
        byte[] bytes = RnnlmBytes(folder);
        Assert.Contains("character language model in the stream is truncated",
            Assert.Throws<InvalidDataException>(() => LanguageModelReader.Read(bytes[..^8])).Message);
    }
}
