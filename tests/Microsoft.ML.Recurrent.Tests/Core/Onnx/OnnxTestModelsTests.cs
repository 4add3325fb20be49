using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Microsoft.ML.Recurrent.Tests.Onnx;

/// <summary>The test helpers that run the onnx checker cannot pass by accident or hang CI.</summary>
public sealed class OnnxTestModelsTests
{
    private sealed class Recorder : ITestOutputHelper
    {
        public List<string> Lines { get; } = [];
        public void WriteLine(string message) => Lines.Add(message);
        public void WriteLine(string format, params object[] args) => Lines.Add(string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));
    }

    [Theory]
    [InlineData("true")]
    [InlineData("True")]
    [InlineData("TRUE")]
    [InlineData("1")]
    public void A_missing_checker_fails_under_CI(string ci)
        => Assert.Contains("python3-onnx", Assert.ThrowsAny<XunitException>(() => OnnxTestModels.CheckerMissing(new Recorder(), ci)).Message);

    [Theory]
    [InlineData("true")]
    [InlineData("1")]
    public void Missing_torch_fails_under_CI_naming_its_package(string ci)
        => Assert.Contains("python3-torch", Assert.ThrowsAny<XunitException>(
            () => OnnxTestModels.PythonModuleMissing(new Recorder(), ci, "torch", "python3-torch", "nothing was compared")).Message);

    [Fact]
    public void Missing_torch_is_reported_as_skipped_elsewhere()
    {
        var output = new Recorder();
        OnnxTestModels.PythonModuleMissing(output, null, "torch", "python3-torch", "nothing was compared");
        Assert.StartsWith("SKIPPED", Assert.Single(output.Lines));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("false")]
    public void A_missing_checker_is_reported_as_skipped_elsewhere(string? ci)
    {
        var output = new Recorder();
        OnnxTestModels.CheckerMissing(output, ci);
        Assert.StartsWith("SKIPPED", Assert.Single(output.Lines));
    }

    [Fact]
    public void A_hung_child_is_killed_and_the_test_fails_with_what_it_printed()
    {
        var e = Assert.ThrowsAny<XunitException>(
            () => OnnxTestModels.RunProcess("/bin/sh", TimeSpan.FromSeconds(3), "-c", "echo started; echo on-stderr >&2; sleep 300"));
        Assert.Contains("did not finish within 3 s", e.Message);
        Assert.Contains("started", e.Message);
        Assert.Contains("on-stderr", e.Message);
    }

    [Fact]
    public void A_child_that_fills_both_pipes_finishes_and_everything_it_printed_comes_back()
    {
        // 1 MB on stderr before anything on stdout: far more than a pipe buffers, so reading one stream after the other would block.
        var (code, output) = OnnxTestModels.RunProcess("/bin/sh", "-c", "head -c 1000000 /dev/zero | tr '\\000' e >&2; echo done");
        Assert.Equal(0, code);
        Assert.Equal("done\n" + new string('e', 1_000_000), output);
    }
}
