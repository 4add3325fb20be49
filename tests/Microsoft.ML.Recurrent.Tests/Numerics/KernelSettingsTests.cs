using Microsoft.ML.Recurrent.Numerics;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Numerics;

public class KernelSettingsTests
{
    [Fact]
    public void OverridesNestAndRestore()
    {
        int threads = KernelSettings.Threads, width = KernelSettings.VectorWidth;
        using (KernelSettings.Override(maxThreads: 3, maxVectorWidth: 256))
        {
            Assert.Equal(3, KernelSettings.Threads);
            Assert.Equal(Math.Min(256, KernelSettings.HardwareVectorWidth), KernelSettings.VectorWidth);
            using (KernelSettings.Override(maxVectorWidth: 0))
            {
                Assert.Equal(3, KernelSettings.Threads);
                Assert.Equal(0, KernelSettings.VectorWidth);
            }

            Assert.Equal(Math.Min(256, KernelSettings.HardwareVectorWidth), KernelSettings.VectorWidth);
        }

        Assert.Equal(threads, KernelSettings.Threads);
        Assert.Equal(width, KernelSettings.VectorWidth);
    }

    [Fact]
    public void OverrideIsLocalToItsThread()
    {
        using var scope = KernelSettings.Override(maxThreads: 1, maxVectorWidth: 0);
        int otherThreadWidth = -1;
        var thread = new Thread(() => otherThreadWidth = KernelSettings.VectorWidth);
        thread.Start();
        thread.Join();
        Assert.Equal(Math.Min(KernelSettings.MaxVectorWidth, KernelSettings.HardwareVectorWidth), otherThreadWidth);
        Assert.Equal(0, KernelSettings.VectorWidth);
    }

    [Fact]
    public void InvalidLimitsThrow()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => KernelSettings.MaxThreads = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => KernelSettings.MaxVectorWidth = 128);
        Assert.Throws<ArgumentOutOfRangeException>(() => KernelSettings.Override(maxVectorWidth: 64));
        Assert.Throws<ArgumentOutOfRangeException>(() => KernelSettings.Override(maxThreads: -1));
    }
}
