using Microsoft.ML.Recurrent.Numerics;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Numerics;

/// <summary>
/// The driver itself: which vector each element is handed to. The kernels' results cannot show this (every width
/// gives the same bits), so a driver that skipped a width would pass every kernel test.
/// </summary>
public class ElementwiseTests
{
    [Theory]
    [InlineData(512, 31, "0:16 16:8 24:4 28:1 29:1 30:1")]
    [InlineData(512, 32, "0:16 16:16")]
    [InlineData(256, 13, "0:8 8:4 12:1")]
    [InlineData(128, 10, "0:4 4:4 8:1 9:1")]
    [InlineData(0, 3, "0:1 1:1 2:1")]
    [InlineData(512, 0, "")]
    public void WalksTheWidthsFromTheWidestAllowedDownToOneLane(int width, int length, string expected)
    {
        var calls = new List<string>();
        Elementwise.Run(new RecordingOp(calls), length, width);
        Assert.Equal(expected, string.Join(' ', calls));
    }

    // Records "first element:lanes" of every call; the list is shared by the driver's copies of the operator.
    private readonly struct RecordingOp(List<string> calls) : IElementwiseOp
    {
        public void Invoke<T>(int i) where T : unmanaged, IVec<T> => calls.Add($"{i}:{T.Count}");
    }
}
