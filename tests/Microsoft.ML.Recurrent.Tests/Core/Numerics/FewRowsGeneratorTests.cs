using Microsoft.ML.Recurrent.Numerics;
using Microsoft.ML.Recurrent.Tools.FewRowsGenerator;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Numerics;

/// <summary>
/// Gemm.FewRows.Generated.cs is tools/FewRowsGenerator's output, byte for byte: a kernel edited by hand, or a generator
/// changed without regenerating, fails here rather than leaving the two to disagree.
/// </summary>
public class FewRowsGeneratorTests
{
    [Fact]
    public void Checked_in_few_row_kernels_are_what_the_generator_writes()
    {
        string path = Path.Combine(FewRowsSource.FindRepositoryRoot(AppContext.BaseDirectory), FewRowsSource.RelativePath);
        string? difference = FewRowsSource.Difference(File.ReadAllBytes(path));
        Assert.True(difference is null,
            $"{FewRowsSource.RelativePath} is not what tools/FewRowsGenerator writes: {difference}\n" +
            "Change the generator, not the file, and run: dotnet run --project tools/FewRowsGenerator");
    }
}
