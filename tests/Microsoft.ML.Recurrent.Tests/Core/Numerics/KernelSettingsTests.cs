using System.Runtime.Intrinsics;
using Microsoft.ML.Recurrent.Numerics;
using Xunit;
using Xunit.Abstractions;

namespace Microsoft.ML.Recurrent.Tests.Numerics;

public class KernelSettingsTests(ITestOutputHelper output)
{
    [Fact]
    public void OverridesNestAndRestore()
    {
        int threads = KernelSettings.Threads, width = KernelSettings.VectorWidth;
        using (KernelSettings.Override(maxThreads: 3, maxVectorWidth: 256))
        {
            Assert.Equal(3, KernelSettings.Threads);
            Assert.Equal(Math.Min(256, KernelSettings.HardwareVectorWidth), KernelSettings.VectorWidth);
            using (KernelSettings.Override(maxVectorWidth: 128))
            {
                Assert.Equal(3, KernelSettings.Threads);
                Assert.Equal(Math.Min(128, KernelSettings.HardwareVectorWidth), KernelSettings.VectorWidth);
                using (KernelSettings.Override(maxVectorWidth: 0))
                {
                    Assert.Equal(3, KernelSettings.Threads);
                    Assert.Equal(0, KernelSettings.VectorWidth);
                }

                Assert.Equal(Math.Min(128, KernelSettings.HardwareVectorWidth), KernelSettings.VectorWidth);
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
        Assert.Throws<ArgumentOutOfRangeException>(() => KernelSettings.MaxVectorWidth = 1024);
        Assert.Throws<ArgumentOutOfRangeException>(() => KernelSettings.MaxVectorWidth = 192);
        Assert.Throws<ArgumentOutOfRangeException>(() => KernelSettings.Override(maxVectorWidth: 64));
        Assert.Throws<ArgumentOutOfRangeException>(() => KernelSettings.Override(maxThreads: -1));
    }

    /// <summary>
    /// The runtime uses only widths whose instructions the CPU reports (CPUID), so the coverage check below asks
    /// the CPU the right question; on this project's AVX-512 machines that is every width.
    /// </summary>
    [Fact]
    public void RuntimeWidthsAreOnesTheCpuHas()
    {
        foreach (int width in NumericsTestHelpers.Widths)
            if (width <= KernelSettings.HardwareVectorWidth)
                Assert.True(NumericsTestHelpers.CpuHas(width), $"the runtime runs width {width}, the CPU is said not to have it");
    }

    /// <summary>
    /// What the runtime accelerates and the kernels' width, in the test output; in a fallback run
    /// (<see cref="NumericsTestHelpers.ForcedWidth"/>) the width must be the forced one, or the DOTNET_Enable* switch
    /// did not reach the runtime and the run tested the wide path again.
    /// </summary>
    [Fact]
    public void RuntimeRunsTheForcedWidth()
    {
        output.WriteLine($"Vector512.IsHardwareAccelerated={Vector512.IsHardwareAccelerated} Vector256.IsHardwareAccelerated={Vector256.IsHardwareAccelerated} "
            + $"Vector128.IsHardwareAccelerated={Vector128.IsHardwareAccelerated}: kernel width {KernelSettings.HardwareVectorWidth}, forced {NumericsTestHelpers.ForcedWidth?.ToString() ?? "none"}");
        if (NumericsTestHelpers.ForcedWidth is int forced)
            Assert.Equal(forced, KernelSettings.HardwareVectorWidth);
    }

    [Fact]
    public void UncoveredWidthFailsOnlyUnderCiOnACpuThatHasIt()
    {
        var recorded = new RecordingOutput();
        NumericsTestHelpers.CheckWidthRan(512, 512, ci: true, cpuHas: true, recorded);
        Assert.Empty(recorded.Lines);

        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => NumericsTestHelpers.CheckWidthRan(512, 256, ci: true, cpuHas: true, recorded));

        NumericsTestHelpers.CheckWidthRan(512, 256, ci: true, cpuHas: false, recorded);
        NumericsTestHelpers.CheckWidthRan(256, 128, ci: false, cpuHas: true, recorded);
        Assert.Equal(2, recorded.Lines.Count);
        Assert.Contains("width 512 is not covered", recorded.Lines[0]);
        Assert.Contains("lacks them", recorded.Lines[0]);
        Assert.Contains("width 256 is not covered", recorded.Lines[1]);
        Assert.Contains("runtime does not use them", recorded.Lines[1]);
    }

    private sealed class RecordingOutput : ITestOutputHelper
    {
        public List<string> Lines { get; } = [];

        public void WriteLine(string message) => Lines.Add(message);

        public void WriteLine(string format, params object[] args) => Lines.Add(string.Format(format, args));
    }
}
