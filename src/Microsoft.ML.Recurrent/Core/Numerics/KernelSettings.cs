using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.Recurrent.Numerics;

/// <summary>
/// Process-wide limits for the numeric kernels: how many threads a matrix multiply may use and the widest
/// instruction set the kernels may use. Lowering either never changes results: every kernel computes each
/// output element with the same sequence of operations on every path and thread count.
/// A scope from <see cref="Override"/> takes precedence on the thread that created it, so tests can force a
/// path without disturbing code that runs concurrently on other threads.
/// </summary>
internal static class KernelSettings
{
    private static int s_maxThreads = Environment.ProcessorCount;
    private static int s_maxVectorWidth = 512;

    [ThreadStatic] private static int t_maxThreads;
    [ThreadStatic] private static int t_maxVectorWidth;
    [ThreadStatic] private static bool t_overridden;

    /// <summary>
    /// The widest vectors this CPU runs: 512, 256 (AVX2 with fused multiply-add), 128 (Arm64 AdvSimd, x64 SSE)
    /// or 0 (scalar). Where the runtime reports a width as not accelerated (e.g. CPUs that slow down under
    /// 512-bit code), the next one is used. The 128-bit kernels fuse multiply-adds as every other width does; on
    /// an x64 CPU without FMA those are computed in software lane by lane, as the scalar path computes them too.
    /// </summary>
    public static int HardwareVectorWidth { get; } =
        Avx512F.IsSupported && Vector512.IsHardwareAccelerated ? 512
        : Avx2.IsSupported && Fma.IsSupported && Vector256.IsHardwareAccelerated ? 256
        : Vector128.IsHardwareAccelerated ? 128
        : 0;

    /// <summary>Most threads one kernel call may use (at least 1). Defaults to the processor count.</summary>
    public static int MaxThreads
    {
        get => s_maxThreads;
        set => s_maxThreads = CheckThreads(value);
    }

    /// <summary>
    /// Widest vectors the kernels may use: 512, 256, 128 or 0 (scalar). A width above
    /// <see cref="HardwareVectorWidth"/> is capped to it. Defaults to 512.
    /// </summary>
    public static int MaxVectorWidth
    {
        get => s_maxVectorWidth;
        set => s_maxVectorWidth = CheckWidth(value);
    }

    /// <summary>Threads the kernels called on this thread may use now.</summary>
    public static int Threads => t_overridden ? t_maxThreads : s_maxThreads;

    /// <summary>
    /// Vector width the kernels called on this thread use now: 512, 256, 128 or 0. The element-wise kernels use
    /// exactly this width; the matrix multiply has 512- and 256-bit microkernels and runs 128 as scalar.
    /// </summary>
    public static int VectorWidth => Math.Min(t_overridden ? t_maxVectorWidth : s_maxVectorWidth, HardwareVectorWidth);

    /// <summary>
    /// Overrides the limits for kernels called on the current thread until the returned scope is disposed.
    /// A null argument keeps the value in effect when the scope is created. Scopes nest.
    /// </summary>
    public static Scope Override(int? maxThreads = null, int? maxVectorWidth = null)
    {
        var scope = new Scope(t_overridden, t_maxThreads, t_maxVectorWidth);
        int threads = maxThreads is int mt ? CheckThreads(mt) : Threads;
        int width = maxVectorWidth is int w ? CheckWidth(w) : (t_overridden ? t_maxVectorWidth : s_maxVectorWidth);
        t_maxThreads = threads;
        t_maxVectorWidth = width;
        t_overridden = true;
        return scope;
    }

    private static int CheckThreads(int value) =>
        value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "At least one thread is needed.");

    private static int CheckWidth(int value) =>
        value is 512 or 256 or 128 or 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The vector width must be 512, 256, 128 or 0.");

    /// <summary>Restores the limits that were in effect before <see cref="Override"/> when disposed.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly bool _overridden;
        private readonly int _maxThreads;
        private readonly int _maxVectorWidth;

        internal Scope(bool overridden, int maxThreads, int maxVectorWidth)
        {
            _overridden = overridden;
            _maxThreads = maxThreads;
            _maxVectorWidth = maxVectorWidth;
        }

        /// <summary>Restores the previous limits of the current thread.</summary>
        public void Dispose()
        {
            t_overridden = _overridden;
            t_maxThreads = _maxThreads;
            t_maxVectorWidth = _maxVectorWidth;
        }
    }
}
