using System.Diagnostics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.Recurrent.Benchmarks;

/// <summary>
/// The machine's fused multiply-add peak, measured with twelve independent accumulator chains (enough to
/// cover FMA latency × throughput), on one thread and on every core at once: the figure the training
/// GFLOP/s are a fraction of.
/// </summary>
internal static class FmaPeak
{
    public static double GigaflopsPerSecond(int threads)
    {
        const long iterations = 40_000_000;
        var clock = Stopwatch.StartNew();
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, _ => Loop(iterations));
        double flopsPerIteration = 12 * 2 * (Avx512F.IsSupported ? 16 : 8);
        return threads * iterations * flopsPerIteration / clock.Elapsed.TotalSeconds / 1e9;
    }

    private static float Loop(long iterations)
    {
        if (Avx512F.IsSupported)
        {
            var a = Vector512.Create(1.0000001f); var b = Vector512.Create(0.9999999f);
            Vector512<float> c0 = a, c1 = a, c2 = a, c3 = a, c4 = a, c5 = a, c6 = a, c7 = a, c8 = a, c9 = a, c10 = a, c11 = a;
            for (long i = 0; i < iterations; i++)
            {
                c0 = Avx512F.FusedMultiplyAdd(c0, b, a); c1 = Avx512F.FusedMultiplyAdd(c1, b, a); c2 = Avx512F.FusedMultiplyAdd(c2, b, a);
                c3 = Avx512F.FusedMultiplyAdd(c3, b, a); c4 = Avx512F.FusedMultiplyAdd(c4, b, a); c5 = Avx512F.FusedMultiplyAdd(c5, b, a);
                c6 = Avx512F.FusedMultiplyAdd(c6, b, a); c7 = Avx512F.FusedMultiplyAdd(c7, b, a); c8 = Avx512F.FusedMultiplyAdd(c8, b, a);
                c9 = Avx512F.FusedMultiplyAdd(c9, b, a); c10 = Avx512F.FusedMultiplyAdd(c10, b, a); c11 = Avx512F.FusedMultiplyAdd(c11, b, a);
            }
            return (c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11).ToScalar();
        }
        if (Fma.IsSupported)
        {
            var a = Vector256.Create(1.0000001f); var b = Vector256.Create(0.9999999f);
            Vector256<float> c0 = a, c1 = a, c2 = a, c3 = a, c4 = a, c5 = a, c6 = a, c7 = a, c8 = a, c9 = a, c10 = a, c11 = a;
            for (long i = 0; i < iterations; i++)
            {
                c0 = Fma.MultiplyAdd(c0, b, a); c1 = Fma.MultiplyAdd(c1, b, a); c2 = Fma.MultiplyAdd(c2, b, a);
                c3 = Fma.MultiplyAdd(c3, b, a); c4 = Fma.MultiplyAdd(c4, b, a); c5 = Fma.MultiplyAdd(c5, b, a);
                c6 = Fma.MultiplyAdd(c6, b, a); c7 = Fma.MultiplyAdd(c7, b, a); c8 = Fma.MultiplyAdd(c8, b, a);
                c9 = Fma.MultiplyAdd(c9, b, a); c10 = Fma.MultiplyAdd(c10, b, a); c11 = Fma.MultiplyAdd(c11, b, a);
            }
            return (c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11).ToScalar();
        }
        throw new PlatformNotSupportedException("This CPU has no fused multiply-add instructions.");
    }
}
