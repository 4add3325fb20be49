using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using Microsoft.ML.Recurrent.Numerics;
using Xunit;
using Xunit.Abstractions;

namespace Microsoft.ML.Recurrent.Tests.Numerics;

/// <summary>Inputs, instruction-set paths and comparisons shared by the kernel tests.</summary>
internal static class NumericsTestHelpers
{
    /// <summary>
    /// Every path the element-wise kernels have; on a CPU without one, the kernels fall back to a narrower one
    /// (and <see cref="WithWidth"/> says so).
    /// </summary>
    public static readonly int[] Widths = [512, 256, 128, 0];

    /// <summary>Every path the matrix multiply has: it has no 128-bit microkernels and runs that width as scalar.</summary>
    public static readonly int[] GemmWidths = [512, 256, 0];

    /// <summary>Whether the tests run under continuous integration (CI=true in any casing).</summary>
    public static bool IsCi { get; } = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The widest kernel width the runtime was deliberately kept to (ML_RECURRENT_TESTS_FORCED_WIDTH: 256, 128 or 0),
    /// as in .ci/run's fallback runs under DOTNET_EnableAVX512=0, DOTNET_EnableAVX2=0 and DOTNET_EnableHWIntrinsic=0;
    /// null in ordinary runs. Under it an uncovered width is expected, not a CI failure, and
    /// <see cref="KernelSettingsTests.RuntimeRunsTheForcedWidth"/> checks that the runtime really was kept to it.
    /// </summary>
    public static int? ForcedWidth { get; } = int.TryParse(Environment.GetEnvironmentVariable("ML_RECURRENT_TESTS_FORCED_WIDTH"), out int forced) ? forced : null;

    /// <summary>Lengths around the vector widths (8, 16) and the sum lanes (32).</summary>
    public static readonly int[] OddLengths = [1, 3, 7, 8, 15, 16, 17, 31, 32, 33, 65, 100, 129];

    /// <summary>Uniform floats in [lo, hi) from a fixed seed.</summary>
    public static float[] Random(int length, int seed, float lo = -1f, float hi = 1f)
    {
        var rng = new Random(seed);
        var x = new float[length];
        for (int i = 0; i < x.Length; i++)
            x[i] = lo + (hi - lo) * (float)rng.NextDouble();
        return x;
    }

    /// <summary>
    /// Runs action with the kernels limited to one thread and the given vector width, and reports through
    /// <see cref="CheckWidthRan"/> when a narrower width ran instead.
    /// </summary>
    public static T WithWidth<T>(int width, ITestOutputHelper output, Func<T> action)
    {
        using var scope = KernelSettings.Override(maxThreads: 1, maxVectorWidth: width);
        CheckWidthRan(width, KernelSettings.VectorWidth, IsCi && ForcedWidth is null, CpuHas(width), output);
        return action();
    }

    /// <summary>
    /// A test that asks for a width the kernels cap (the runtime does not accelerate it) compares a narrower path
    /// with itself. Where the CPU has the instructions and CI is set that is a failure: the CI machine was meant to
    /// cover the width. Otherwise the uncovered width is named in the test output.
    /// </summary>
    public static void CheckWidthRan(int asked, int ran, bool ci, bool cpuHas, ITestOutputHelper output)
    {
        if (ran == asked)
            return;
        string message = $"Vector width {asked} is not covered: the kernels ran width {ran}";
        if (ci && cpuHas)
            Assert.Fail($"{message}, although this CPU has the instructions for it (is the runtime kept from them, e.g. by DOTNET_EnableAVX512=0 or DOTNET_PreferredVectorBitWidth=256?).");
        output.WriteLine($"{message} (this CPU {(cpuHas ? "has the instructions but the runtime does not use them" : "lacks them")}).");
    }

    /// <summary>
    /// Whether the processor has the instructions of a kernel width, asked of the CPU itself (CPUID) rather than of
    /// the runtime, which may be configured not to use them. 128 is part of every x64 (SSE2) and Arm64 (AdvSimd)
    /// processor; without X86Base (hardware intrinsics switched off) the answer for 256 and 512 is no.
    /// </summary>
    public static bool CpuHas(int width) => width switch
    {
        0 => true,
        128 => RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64,
        256 => X86Base.IsSupported && CpuIdBit(7, Register.Ebx, 5) && CpuIdBit(1, Register.Ecx, 12), // AVX2, FMA
        512 => X86Base.IsSupported && CpuIdBit(7, Register.Ebx, 16), // AVX512F
        _ => throw new ArgumentOutOfRangeException(nameof(width), width, "Kernel widths are 512, 256, 128 and 0."),
    };

    private enum Register { Ebx, Ecx }

    private static bool CpuIdBit(int leaf, Register register, int bit)
    {
        var (_, ebx, ecx, _) = X86Base.CpuId(leaf, 0);
        return ((register == Register.Ebx ? ebx : ecx) >> bit & 1) != 0;
    }

    /// <summary>Asserts |actual − expected| ≤ atol + rtol·|expected| elementwise, naming the first failure.</summary>
    public static void Close(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double atol, double rtol, string what)
    {
        Assert.True(actual.Length >= expected.Length, $"{what}: {actual.Length} values, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            bool ok = double.IsNaN(e) ? double.IsNaN(a) : Math.Abs(a - e) <= atol + rtol * Math.Abs(e);
            Assert.True(ok, $"{what}: element {i} is {a:R}, expected {e:R} (atol {atol}, rtol {rtol})");
        }
    }

    /// <summary>Asserts the two arrays hold the same bits (any NaN matches any NaN).</summary>
    public static void SameBits(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i])
                || float.IsNaN(expected[i]) && float.IsNaN(actual[i]),
                $"{what}: element {i} is {actual[i]:R}, expected bit-identical {expected[i]:R}");
    }
}
