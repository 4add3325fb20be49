using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.Recurrent.Numerics;

/// <summary>
/// Single-precision matrix multiply in the three forms backpropagation needs. All matrices are dense,
/// row-major and contiguous. With <c>accumulate</c> the product is added to C, otherwise C is overwritten.
/// Every element is computed as one chain of fused multiply-adds, c = fma(A[i,p], B[p,j], c) for p = 0 … k−1,
/// starting from C (accumulate) or 0. Blocking, packing, vector width and threads only change which elements
/// are computed together, never that chain, so results are bit-identical for any
/// <see cref="KernelSettings"/>. Work is split over output tiles only, never over the reduction dimension.
/// MatMul with a few rows (matrix–vector products) runs kernels that stream B once instead (Gemm.FewRows.cs).
/// Inner loops and the entry points that choose them are compiled fully optimised on first use
/// (AggressiveOptimization): their tier-0 code is tens of times slower, and tiering up can take longer than a short run
/// (tier-1 compiles start after 100 ms without new tier-0 methods: min-char-rnn's 500 warm-up iterations take 40).
/// </summary>
internal static unsafe partial class Gemm
{
    // Depth of one block: the A micro-panel of a tile (6 × KC floats, 9 KiB) stays in L1 while it meets every
    // B micro-panel of the block, and C is loaded and stored once per KC steps.
    private const int KC = 384;

    // Width of one block of B: KC × NC floats (576 KiB) stay in L2 while every row panel of A passes.
    private const int NC = 384;

    // From this many rows on, B is packed into contiguous panels even where it could be read in place: the copy
    // pays for itself over the row panels, and strided rows of a wide B would collide in the caches.
    private const int PackRows = 64;

    // Below this many multiply-adds one thread finishes before a second one would have started.
    private const long ParallelThreshold = 1L << 19;

    // Packing one float of B costs about as much as this many multiply-adds of the vector kernels; splitting
    // the rows of an ABt product makes every thread pack all of B.
    private const long PackCost = 8;

    /// <summary>C[m,n] (+)= A[m,k] · B[k,n].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MatMul(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool accumulate)
    {
        CheckShapes(a.Length, (long)m * k, b.Length, (long)k * n, c.Length, (long)m * n);
        int width = KernelSettings.VectorWidth;
        if (m > 0 && m <= (width == 256 ? FewRowsMax256 : FewRowsMax) && k > 0 && n > 0)
            MatMulFewRows(a, b, c, m, k, n, accumulate, width);
        else
            Run(Form.AB, a, b, c, m, k, n, accumulate);
    }

    /// <summary>C[m,n] (+)= A[m,k] · B[n,k]ᵀ.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MatMulTransB(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool accumulate)
    {
        CheckShapes(a.Length, (long)m * k, b.Length, (long)n * k, c.Length, (long)m * n);
        Run(Form.ABt, a, b, c, m, k, n, accumulate);
    }

    /// <summary>C[m,n] (+)= A[k,m]ᵀ · B[k,n].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MatMulTransA(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool accumulate)
    {
        CheckShapes(a.Length, (long)k * m, b.Length, (long)k * n, c.Length, (long)m * n);
        Run(Form.AtB, a, b, c, m, k, n, accumulate);
    }

    private static void CheckShapes(int aLength, long aNeeded, int bLength, long bNeeded, int cLength, long cNeeded)
    {
        if (aLength < aNeeded || bLength < bNeeded || cLength < cNeeded)
            throw new ArgumentException($"Matrix buffers too small: A {aLength}/{aNeeded}, B {bLength}/{bNeeded}, C {cLength}/{cNeeded}.");
    }

    /// <summary>Where A[i,p] and B[p,j] are stored.</summary>
    private enum Form
    {
        /// <summary>A[i,p] = a[i·k + p], B[p,j] = b[p·n + j].</summary>
        AB,
        /// <summary>A[i,p] = a[i·k + p], B[p,j] = b[j·k + p].</summary>
        ABt,
        /// <summary>A[i,p] = a[p·m + i], B[p,j] = b[p·n + j].</summary>
        AtB,
    }

    private readonly struct Problem(Form form, float* a, float* b, float* c, int m, int k, int n, bool accumulate)
    {
        public readonly Form Form = form;
        public readonly float* A = a, B = b, C = c;
        public readonly int M = m, K = k, N = n;
        public readonly bool Accumulate = accumulate;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Run(Form form, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool accumulate)
    {
        if (m <= 0 || n <= 0)
            return;
        if (k <= 0)
        {
            if (!accumulate)
                c[..(m * n)].Clear();
            return;
        }

        int width = KernelSettings.VectorWidth;
        int threads = KernelSettings.Threads;
        fixed (float* pa = a, pb = b, pc = c)
        {
            var problem = new Problem(form, pa, pb, pc, m, k, n, accumulate);
            switch (width)
            {
                case 512:
                    Split<Kernel512>(problem, threads);
                    break;
                case 256:
                    Split<Kernel256>(problem, threads);
                    break;
                default:
                    Split<ScalarKernel>(problem, threads);
                    break;
            }
        }
    }

    /// <summary>Runs the product on one thread, or splits C into row or column ranges of whole tiles, one per thread.</summary>
    private static void Split<TK>(Problem p, int maxThreads) where TK : struct, IKernel
    {
        long work = (long)p.M * p.N * p.K;
        int mTiles = (p.M + TK.MR - 1) / TK.MR, nTiles = (p.N + TK.NR - 1) / TK.NR;
        int threads = Math.Min(maxThreads, Math.Max(mTiles, nTiles));
        if (threads <= 1 || work < ParallelThreshold)
        {
            TK.Compute(p, 0, p.M, 0, p.N);
            return;
        }

        // Whole tiles per thread, rounded up, plus B packed again by every thread when rows are split.
        long rowSplit = (long)((mTiles + threads - 1) / threads) * TK.MR * p.N * p.K + (p.Form == Form.ABt ? PackCost * p.K * p.N : 0);
        long colSplit = (long)((nTiles + threads - 1) / threads) * TK.NR * p.M * p.K;
        bool byRows = rowSplit <= colSplit;
        int tiles = byRows ? mTiles : nTiles;
        SplitAcrossThreads<TK>(p, Math.Min(threads, tiles), tiles, byRows);
    }

    // Separate from Split so that the closure is allocated only when the work really is split.
    private static void SplitAcrossThreads<TK>(Problem p, int threads, int tiles, bool byRows) where TK : struct, IKernel
    {
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            int first = (int)((long)tiles * t / threads), last = (int)((long)tiles * (t + 1) / threads);
            if (byRows)
                TK.Compute(p, first * TK.MR, Math.Min(p.M, last * TK.MR), 0, p.N);
            else
                TK.Compute(p, 0, p.M, first * TK.NR, Math.Min(p.N, last * TK.NR));
        });
    }

    private interface IKernel
    {
        /// <summary>Rows of C one tile covers.</summary>
        static abstract int MR { get; }

        /// <summary>Columns of C one tile covers.</summary>
        static abstract int NR { get; }

        /// <summary>Computes C[i0..i1, j0..j1].</summary>
        static abstract void Compute(in Problem p, int i0, int i1, int j0, int j1);
    }

    private interface IMicroKernel : IKernel
    {
        /// <summary>Floats per vector register.</summary>
        static abstract int VW { get; }

        /// <summary>
        /// C[rows, vecs·VW] at c (row stride ldc) = (load ? C : 0) + Σ_q A[r, q]·B[q, ·] over kc steps, where
        /// A[r, q] = a[r·aRow + q·aStep] and row q of B starts at b + q·ldb.
        /// </summary>
        static abstract void Tile(int rows, int vecs, int kc, float* a, nint aRow, nint aStep, float* b, nint ldb, float* c, nint ldc, bool load);
    }

    /// <summary>
    /// Register-tiled product of C[i0..i1, j0..j1], a KC-deep, NC-wide block of B at a time. A is read in place.
    /// B is packed into NR-wide, zero-padded panels for ABt (making each step's NR values contiguous) and from
    /// <see cref="PackRows"/> rows on; otherwise it is read in place, except a ragged last panel.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Blocked<TK>(in Problem p, int i0, int i1, int j0, int j1) where TK : struct, IMicroKernel
    {
        int mr = TK.MR, nr = TK.NR, vw = TK.VW;
        bool packAll = p.Form == Form.ABt || i1 - i0 >= PackRows;
        int packWidth = packAll ? Math.Min(NC, RoundUp(j1 - j0, nr)) : nr;
        float* bPack = PackBuffer.Get(KC * packWidth + mr * nr);
        float* scratch = bPack + KC * packWidth;
        nint n = p.N;
        nint aRow = p.Form == Form.AtB ? 1 : p.K, aStep = p.Form == Form.AtB ? p.M : 1;

        for (int jc = j0; jc < j1; jc += NC)
        {
            int nc = Math.Min(NC, j1 - jc);
            for (int pc = 0; pc < p.K; pc += KC)
            {
                int kc = Math.Min(KC, p.K - pc);
                bool load = p.Accumulate || pc > 0;
                for (int jr = 0; jr < nc; jr += nr)
                {
                    int cols = Math.Min(nr, nc - jr);
                    if (packAll)
                        PackB(p, pc, kc, jc + jr, cols, nr, bPack + jr * kc);
                    else if (cols % vw != 0)
                        PackB(p, pc, kc, jc + jr, cols, nr, bPack);
                }

                for (int ic = i0; ic < i1; ic += mr)
                {
                    int rows = Math.Min(mr, i1 - ic);
                    float* a = p.A + ic * aRow + pc * aStep;
                    for (int jr = 0; jr < nc; jr += nr)
                    {
                        int cols = Math.Min(nr, nc - jr), vecs = (cols + vw - 1) / vw;
                        float* ct = p.C + ic * n + jc + jr;
                        float* b = packAll ? bPack + jr * kc : cols % vw == 0 ? p.B + pc * n + jc + jr : bPack;
                        nint ldb = !packAll && cols % vw == 0 ? n : nr;

                        if (cols % vw == 0)
                        {
                            TK.Tile(rows, vecs, kc, a, aRow, aStep, b, ldb, ct, n, load);
                            continue;
                        }

                        // A ragged right edge goes through a scratch tile of whole vectors; the padding columns of
                        // the packed B are zero and their results are dropped.
                        if (load)
                            for (int r = 0; r < rows; r++)
                                new ReadOnlySpan<float>(ct + r * n, cols).CopyTo(new Span<float>(scratch + r * nr, cols));
                        TK.Tile(rows, vecs, kc, a, aRow, aStep, b, ldb, scratch, nr, load);
                        for (int r = 0; r < rows; r++)
                            new ReadOnlySpan<float>(scratch + r * nr, cols).CopyTo(new Span<float>(ct + r * n, cols));
                    }
                }
            }
        }
    }

    private static int RoundUp(int x, int multiple) => (x + multiple - 1) / multiple * multiple;

    /// <summary>Packs B[pc..pc+kc, j..j+cols] as kc rows of nr floats (zero-padded past cols) at dst.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackB(in Problem p, int pc, int kc, int j, int cols, int nr, float* dst)
    {
        if (p.Form == Form.ABt)
        {
            int k = p.K;
            float* src = p.B + (long)j * k + pc;
            int c = 0;
            if (nr % 8 == 0 && Avx.IsSupported)
                for (; c + 8 <= cols; c += 8)
                    PackTransposed8(src + (long)c * k, k, kc, dst + c, nr);
            for (; c < cols; c++)
            {
                float* s = src + (long)c * k;
                for (int q = 0; q < kc; q++)
                    dst[q * nr + c] = s[q];
            }

            for (; c < nr; c++)
                for (int q = 0; q < kc; q++)
                    dst[q * nr + c] = 0f;
            return;
        }

        float* row = p.B + (long)pc * p.N + j;
        for (int q = 0; q < kc; q++, row += p.N, dst += nr)
        {
            new ReadOnlySpan<float>(row, cols).CopyTo(new Span<float>(dst, cols));
            new Span<float>(dst + cols, nr - cols).Clear();
        }
    }

    /// <summary>Transposes 8 rows of length kc (row stride ld) into kc rows of 8 floats at dst (row stride nr).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackTransposed8(float* src, int ld, int kc, float* dst, int nr)
    {
        int q = 0;
        for (; q + 8 <= kc; q += 8)
            MatrixTranspose.Block8x8(src + q, ld, dst + q * nr, nr);
        for (; q < kc; q++)
            for (int c = 0; c < 8; c++)
                dst[q * nr + c] = src[(long)c * ld + q];
    }

    /// <summary>Per-thread, 64-byte aligned scratch for packed panels, kept between calls.</summary>
    private static class PackBuffer
    {
        [ThreadStatic] private static float[]? t_array;

        public static float* Get(int floats)
        {
            // Pinned arrays never move, so the aligned address stays valid for the thread's lifetime.
            if (t_array is null || t_array.Length < floats + 16)
                t_array = GC.AllocateUninitializedArray<float>(floats + 16, pinned: true);
            nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(t_array));
            return (float*)((address + 63) & ~(nint)63);
        }
    }

    /// <summary>A count fixed per generic instantiation, so the JIT drops the code for rows or vectors past it.</summary>
    private interface ICount
    {
        static abstract int Value { get; }
    }

    private struct One : ICount { public static int Value => 1; }
    private struct Two : ICount { public static int Value => 2; }
    private struct Three : ICount { public static int Value => 3; }
    private struct Four : ICount { public static int Value => 4; }
    private struct Five : ICount { public static int Value => 5; }
    private struct Six : ICount { public static int Value => 6; }

    /// <summary>Up to 6 × 64 tiles: 24 zmm accumulators, four B vectors and one broadcast of A per step.</summary>
    private struct Kernel512 : IMicroKernel
    {
        public static int MR => 6;
        public static int NR => 64;
        public static int VW => 16;

        public static void Compute(in Problem p, int i0, int i1, int j0, int j1) => Blocked<Kernel512>(p, i0, i1, j0, j1);

        public static void Tile(int rows, int vecs, int kc, float* a, nint aRow, nint aStep, float* b, nint ldb, float* c, nint ldc, bool load)
        {
            switch (vecs)
            {
                case 4: Tile<Four>(rows, kc, a, aRow, aStep, b, ldb, c, ldc, load); break;
                case 3: Tile<Three>(rows, kc, a, aRow, aStep, b, ldb, c, ldc, load); break;
                case 2: Tile<Two>(rows, kc, a, aRow, aStep, b, ldb, c, ldc, load); break;
                default: Tile<One>(rows, kc, a, aRow, aStep, b, ldb, c, ldc, load); break;
            }
        }

        private static void Tile<TVecs>(int rows, int kc, float* a, nint aRow, nint aStep, float* b, nint ldb, float* c, nint ldc, bool load)
            where TVecs : struct, ICount
        {
            switch (rows)
            {
                case 6: Tile<Six, TVecs>(kc, a, aRow, aStep, b, ldb, c, ldc, load); break;
                case 5: Tile<Five, TVecs>(kc, a, aRow, aStep, b, ldb, c, ldc, load); break;
                case 4: Tile<Four, TVecs>(kc, a, aRow, aStep, b, ldb, c, ldc, load); break;
                case 3: Tile<Three, TVecs>(kc, a, aRow, aStep, b, ldb, c, ldc, load); break;
                case 2: Tile<Two, TVecs>(kc, a, aRow, aStep, b, ldb, c, ldc, load); break;
                default: Tile<One, TVecs>(kc, a, aRow, aStep, b, ldb, c, ldc, load); break;
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Tile<TRows, TVecs>(int kc, float* a, nint aRow, nint aStep, float* b, nint ldb, float* c, nint ldc, bool load)
            where TRows : struct, ICount
            where TVecs : struct, ICount
        {
            // Constants once the JIT specialises the method, so the tests on them disappear. Written out with x86
            // intrinsics and no helper calls, which unoptimised (Debug) builds would not inline.
            int rows = TRows.Value, vecs = TVecs.Value;
            Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default;
            Vector512<float> c10 = default, c11 = default, c12 = default, c13 = default;
            Vector512<float> c20 = default, c21 = default, c22 = default, c23 = default;
            Vector512<float> c30 = default, c31 = default, c32 = default, c33 = default;
            Vector512<float> c40 = default, c41 = default, c42 = default, c43 = default;
            Vector512<float> c50 = default, c51 = default, c52 = default, c53 = default;
            float* c1 = c + ldc, c2 = c1 + ldc, c3 = c2 + ldc, c4 = c3 + ldc, c5 = c4 + ldc;
            if (load)
            {
                c00 = Avx512F.LoadVector512(c);
                if (vecs > 1) c01 = Avx512F.LoadVector512(c + 16);
                if (vecs > 2) c02 = Avx512F.LoadVector512(c + 32);
                if (vecs > 3) c03 = Avx512F.LoadVector512(c + 48);
                if (rows > 1)
                {
                    c10 = Avx512F.LoadVector512(c1);
                    if (vecs > 1) c11 = Avx512F.LoadVector512(c1 + 16);
                    if (vecs > 2) c12 = Avx512F.LoadVector512(c1 + 32);
                    if (vecs > 3) c13 = Avx512F.LoadVector512(c1 + 48);
                }
                if (rows > 2)
                {
                    c20 = Avx512F.LoadVector512(c2);
                    if (vecs > 1) c21 = Avx512F.LoadVector512(c2 + 16);
                    if (vecs > 2) c22 = Avx512F.LoadVector512(c2 + 32);
                    if (vecs > 3) c23 = Avx512F.LoadVector512(c2 + 48);
                }
                if (rows > 3)
                {
                    c30 = Avx512F.LoadVector512(c3);
                    if (vecs > 1) c31 = Avx512F.LoadVector512(c3 + 16);
                    if (vecs > 2) c32 = Avx512F.LoadVector512(c3 + 32);
                    if (vecs > 3) c33 = Avx512F.LoadVector512(c3 + 48);
                }
                if (rows > 4)
                {
                    c40 = Avx512F.LoadVector512(c4);
                    if (vecs > 1) c41 = Avx512F.LoadVector512(c4 + 16);
                    if (vecs > 2) c42 = Avx512F.LoadVector512(c4 + 32);
                    if (vecs > 3) c43 = Avx512F.LoadVector512(c4 + 48);
                }
                if (rows > 5)
                {
                    c50 = Avx512F.LoadVector512(c5);
                    if (vecs > 1) c51 = Avx512F.LoadVector512(c5 + 16);
                    if (vecs > 2) c52 = Avx512F.LoadVector512(c5 + 32);
                    if (vecs > 3) c53 = Avx512F.LoadVector512(c5 + 48);
                }
            }

            nint a1 = aRow, a2 = 2 * aRow, a3 = 3 * aRow, a4 = 4 * aRow, a5 = 5 * aRow;
            for (int q = 0; q < kc; q++, a += aStep, b += ldb)
            {
                var b0 = Avx512F.LoadVector512(b);
                var b1 = vecs > 1 ? Avx512F.LoadVector512(b + 16) : default;
                var b2 = vecs > 2 ? Avx512F.LoadVector512(b + 32) : default;
                var b3 = vecs > 3 ? Avx512F.LoadVector512(b + 48) : default;
                var av = Avx512F.BroadcastScalarToVector512(Sse.LoadScalarVector128(a));
                c00 = Avx512F.FusedMultiplyAdd(av, b0, c00);
                if (vecs > 1) c01 = Avx512F.FusedMultiplyAdd(av, b1, c01);
                if (vecs > 2) c02 = Avx512F.FusedMultiplyAdd(av, b2, c02);
                if (vecs > 3) c03 = Avx512F.FusedMultiplyAdd(av, b3, c03);
                if (rows > 1)
                {
                    av = Avx512F.BroadcastScalarToVector512(Sse.LoadScalarVector128(a + a1));
                    c10 = Avx512F.FusedMultiplyAdd(av, b0, c10);
                    if (vecs > 1) c11 = Avx512F.FusedMultiplyAdd(av, b1, c11);
                    if (vecs > 2) c12 = Avx512F.FusedMultiplyAdd(av, b2, c12);
                    if (vecs > 3) c13 = Avx512F.FusedMultiplyAdd(av, b3, c13);
                }
                if (rows > 2)
                {
                    av = Avx512F.BroadcastScalarToVector512(Sse.LoadScalarVector128(a + a2));
                    c20 = Avx512F.FusedMultiplyAdd(av, b0, c20);
                    if (vecs > 1) c21 = Avx512F.FusedMultiplyAdd(av, b1, c21);
                    if (vecs > 2) c22 = Avx512F.FusedMultiplyAdd(av, b2, c22);
                    if (vecs > 3) c23 = Avx512F.FusedMultiplyAdd(av, b3, c23);
                }
                if (rows > 3)
                {
                    av = Avx512F.BroadcastScalarToVector512(Sse.LoadScalarVector128(a + a3));
                    c30 = Avx512F.FusedMultiplyAdd(av, b0, c30);
                    if (vecs > 1) c31 = Avx512F.FusedMultiplyAdd(av, b1, c31);
                    if (vecs > 2) c32 = Avx512F.FusedMultiplyAdd(av, b2, c32);
                    if (vecs > 3) c33 = Avx512F.FusedMultiplyAdd(av, b3, c33);
                }
                if (rows > 4)
                {
                    av = Avx512F.BroadcastScalarToVector512(Sse.LoadScalarVector128(a + a4));
                    c40 = Avx512F.FusedMultiplyAdd(av, b0, c40);
                    if (vecs > 1) c41 = Avx512F.FusedMultiplyAdd(av, b1, c41);
                    if (vecs > 2) c42 = Avx512F.FusedMultiplyAdd(av, b2, c42);
                    if (vecs > 3) c43 = Avx512F.FusedMultiplyAdd(av, b3, c43);
                }
                if (rows > 5)
                {
                    av = Avx512F.BroadcastScalarToVector512(Sse.LoadScalarVector128(a + a5));
                    c50 = Avx512F.FusedMultiplyAdd(av, b0, c50);
                    if (vecs > 1) c51 = Avx512F.FusedMultiplyAdd(av, b1, c51);
                    if (vecs > 2) c52 = Avx512F.FusedMultiplyAdd(av, b2, c52);
                    if (vecs > 3) c53 = Avx512F.FusedMultiplyAdd(av, b3, c53);
                }
            }

            Avx512F.Store(c, c00);
            if (vecs > 1) Avx512F.Store(c + 16, c01);
            if (vecs > 2) Avx512F.Store(c + 32, c02);
            if (vecs > 3) Avx512F.Store(c + 48, c03);
            if (rows > 1)
            {
                Avx512F.Store(c1, c10);
                if (vecs > 1) Avx512F.Store(c1 + 16, c11);
                if (vecs > 2) Avx512F.Store(c1 + 32, c12);
                if (vecs > 3) Avx512F.Store(c1 + 48, c13);
            }
            if (rows > 2)
            {
                Avx512F.Store(c2, c20);
                if (vecs > 1) Avx512F.Store(c2 + 16, c21);
                if (vecs > 2) Avx512F.Store(c2 + 32, c22);
                if (vecs > 3) Avx512F.Store(c2 + 48, c23);
            }
            if (rows > 3)
            {
                Avx512F.Store(c3, c30);
                if (vecs > 1) Avx512F.Store(c3 + 16, c31);
                if (vecs > 2) Avx512F.Store(c3 + 32, c32);
                if (vecs > 3) Avx512F.Store(c3 + 48, c33);
            }
            if (rows > 4)
            {
                Avx512F.Store(c4, c40);
                if (vecs > 1) Avx512F.Store(c4 + 16, c41);
                if (vecs > 2) Avx512F.Store(c4 + 32, c42);
                if (vecs > 3) Avx512F.Store(c4 + 48, c43);
            }
            if (rows > 5)
            {
                Avx512F.Store(c5, c50);
                if (vecs > 1) Avx512F.Store(c5 + 16, c51);
                if (vecs > 2) Avx512F.Store(c5 + 32, c52);
                if (vecs > 3) Avx512F.Store(c5 + 48, c53);
            }
        }
    }

    /// <summary>Up to 6 × 16 tiles: 12 ymm accumulators, so the kernel fits the 16 registers of AVX2 machines.</summary>
    private struct Kernel256 : IMicroKernel
    {
        public static int MR => 6;
        public static int NR => 16;
        public static int VW => 8;

        public static void Compute(in Problem p, int i0, int i1, int j0, int j1) => Blocked<Kernel256>(p, i0, i1, j0, j1);

        public static void Tile(int rows, int vecs, int kc, float* a, nint aRow, nint aStep, float* b, nint ldb, float* c, nint ldc, bool load)
        {
            if (vecs == 2)
                Tile<Two>(rows, kc, a, aRow, aStep, b, ldb, c, ldc, load);
            else
                Tile<One>(rows, kc, a, aRow, aStep, b, ldb, c, ldc, load);
        }

        private static void Tile<TVecs>(int rows, int kc, float* a, nint aRow, nint aStep, float* b, nint ldb, float* c, nint ldc, bool load)
            where TVecs : struct, ICount
        {
            switch (rows)
            {
                case 6: Tile<Six, TVecs>(kc, a, aRow, aStep, b, ldb, c, ldc, load); break;
                case 5: Tile<Five, TVecs>(kc, a, aRow, aStep, b, ldb, c, ldc, load); break;
                case 4: Tile<Four, TVecs>(kc, a, aRow, aStep, b, ldb, c, ldc, load); break;
                case 3: Tile<Three, TVecs>(kc, a, aRow, aStep, b, ldb, c, ldc, load); break;
                case 2: Tile<Two, TVecs>(kc, a, aRow, aStep, b, ldb, c, ldc, load); break;
                default: Tile<One, TVecs>(kc, a, aRow, aStep, b, ldb, c, ldc, load); break;
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Tile<TRows, TVecs>(int kc, float* a, nint aRow, nint aStep, float* b, nint ldb, float* c, nint ldc, bool load)
            where TRows : struct, ICount
            where TVecs : struct, ICount
        {
            // As in Kernel512.
            int rows = TRows.Value, vecs = TVecs.Value;
            Vector256<float> c00 = default, c01 = default;
            Vector256<float> c10 = default, c11 = default;
            Vector256<float> c20 = default, c21 = default;
            Vector256<float> c30 = default, c31 = default;
            Vector256<float> c40 = default, c41 = default;
            Vector256<float> c50 = default, c51 = default;
            float* c1 = c + ldc, c2 = c1 + ldc, c3 = c2 + ldc, c4 = c3 + ldc, c5 = c4 + ldc;
            if (load)
            {
                c00 = Avx.LoadVector256(c);
                if (vecs > 1) c01 = Avx.LoadVector256(c + 8);
                if (rows > 1)
                {
                    c10 = Avx.LoadVector256(c1);
                    if (vecs > 1) c11 = Avx.LoadVector256(c1 + 8);
                }
                if (rows > 2)
                {
                    c20 = Avx.LoadVector256(c2);
                    if (vecs > 1) c21 = Avx.LoadVector256(c2 + 8);
                }
                if (rows > 3)
                {
                    c30 = Avx.LoadVector256(c3);
                    if (vecs > 1) c31 = Avx.LoadVector256(c3 + 8);
                }
                if (rows > 4)
                {
                    c40 = Avx.LoadVector256(c4);
                    if (vecs > 1) c41 = Avx.LoadVector256(c4 + 8);
                }
                if (rows > 5)
                {
                    c50 = Avx.LoadVector256(c5);
                    if (vecs > 1) c51 = Avx.LoadVector256(c5 + 8);
                }
            }

            nint a1 = aRow, a2 = 2 * aRow, a3 = 3 * aRow, a4 = 4 * aRow, a5 = 5 * aRow;
            for (int q = 0; q < kc; q++, a += aStep, b += ldb)
            {
                var b0 = Avx.LoadVector256(b);
                var b1 = vecs > 1 ? Avx.LoadVector256(b + 8) : default;
                var av = Avx.BroadcastScalarToVector256(a);
                c00 = Fma.MultiplyAdd(av, b0, c00);
                if (vecs > 1) c01 = Fma.MultiplyAdd(av, b1, c01);
                if (rows > 1)
                {
                    av = Avx.BroadcastScalarToVector256(a + a1);
                    c10 = Fma.MultiplyAdd(av, b0, c10);
                    if (vecs > 1) c11 = Fma.MultiplyAdd(av, b1, c11);
                }
                if (rows > 2)
                {
                    av = Avx.BroadcastScalarToVector256(a + a2);
                    c20 = Fma.MultiplyAdd(av, b0, c20);
                    if (vecs > 1) c21 = Fma.MultiplyAdd(av, b1, c21);
                }
                if (rows > 3)
                {
                    av = Avx.BroadcastScalarToVector256(a + a3);
                    c30 = Fma.MultiplyAdd(av, b0, c30);
                    if (vecs > 1) c31 = Fma.MultiplyAdd(av, b1, c31);
                }
                if (rows > 4)
                {
                    av = Avx.BroadcastScalarToVector256(a + a4);
                    c40 = Fma.MultiplyAdd(av, b0, c40);
                    if (vecs > 1) c41 = Fma.MultiplyAdd(av, b1, c41);
                }
                if (rows > 5)
                {
                    av = Avx.BroadcastScalarToVector256(a + a5);
                    c50 = Fma.MultiplyAdd(av, b0, c50);
                    if (vecs > 1) c51 = Fma.MultiplyAdd(av, b1, c51);
                }
            }

            Avx.Store(c, c00);
            if (vecs > 1) Avx.Store(c + 8, c01);
            if (rows > 1)
            {
                Avx.Store(c1, c10);
                if (vecs > 1) Avx.Store(c1 + 8, c11);
            }
            if (rows > 2)
            {
                Avx.Store(c2, c20);
                if (vecs > 1) Avx.Store(c2 + 8, c21);
            }
            if (rows > 3)
            {
                Avx.Store(c3, c30);
                if (vecs > 1) Avx.Store(c3 + 8, c31);
            }
            if (rows > 4)
            {
                Avx.Store(c4, c40);
                if (vecs > 1) Avx.Store(c4 + 8, c41);
            }
            if (rows > 5)
            {
                Avx.Store(c5, c50);
                if (vecs > 1) Avx.Store(c5 + 8, c51);
            }
        }
    }

    /// <summary>
    /// Unpacked scalar loops in the order that reads memory sequentially for each form; MathF.FusedMultiplyAdd
    /// keeps the per-element chain, and so the bits, identical to the vector kernels.
    /// </summary>
    private struct ScalarKernel : IKernel
    {
        public static int MR => 8;
        public static int NR => 8;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Compute(in Problem p, int i0, int i1, int j0, int j1)
        {
            int m = p.M, k = p.K, n = p.N, cols = j1 - j0;
            for (int i = i0; i < i1; i++)
            {
                float* cr = p.C + (long)i * n + j0;
                if (p.Form == Form.ABt)
                {
                    // Four dot products at once: independent chains instead of one latency-bound chain.
                    float* ar = p.A + (long)i * k;
                    int j = 0;
                    for (; j + 4 <= cols; j += 4)
                    {
                        float* b0 = p.B + (long)(j0 + j) * k, b1 = b0 + k, b2 = b1 + k, b3 = b2 + k;
                        float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
                        if (p.Accumulate)
                            (s0, s1, s2, s3) = (cr[j], cr[j + 1], cr[j + 2], cr[j + 3]);
                        for (int q = 0; q < k; q++)
                        {
                            float av = ar[q];
                            s0 = MathF.FusedMultiplyAdd(av, b0[q], s0);
                            s1 = MathF.FusedMultiplyAdd(av, b1[q], s1);
                            s2 = MathF.FusedMultiplyAdd(av, b2[q], s2);
                            s3 = MathF.FusedMultiplyAdd(av, b3[q], s3);
                        }

                        (cr[j], cr[j + 1], cr[j + 2], cr[j + 3]) = (s0, s1, s2, s3);
                    }

                    for (; j < cols; j++)
                    {
                        float* br = p.B + (long)(j0 + j) * k;
                        float s = p.Accumulate ? cr[j] : 0f;
                        for (int q = 0; q < k; q++)
                            s = MathF.FusedMultiplyAdd(ar[q], br[q], s);
                        cr[j] = s;
                    }

                    continue;
                }

                if (!p.Accumulate)
                    new Span<float>(cr, cols).Clear();
                for (int q = 0; q < k; q++)
                {
                    float av = p.Form == Form.AtB ? p.A[(long)q * m + i] : p.A[(long)i * k + q];
                    float* br = p.B + (long)q * n + j0;
                    for (int j = 0; j < cols; j++)
                        cr[j] = MathF.FusedMultiplyAdd(av, br[j], cr[j]);
                }
            }
        }
    }
}
