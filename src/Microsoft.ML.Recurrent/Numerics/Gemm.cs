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
/// </summary>
internal static unsafe class Gemm
{
    // Depth of one packed block: an A micro-panel (6 × KC floats, 6 KiB) stays in L1 while it meets every
    // B micro-panel of the block.
    private const int KC = 256;

    // Width of one packed block of B: KC × NC floats (512 KiB) stay in L2 while every row panel of A passes.
    private const int NC = 512;

    // Below this many multiply-adds one thread finishes before a second one would have started.
    private const long ParallelThreshold = 1L << 19;

    // Packing one float costs about as much as this many multiply-adds of the vector kernels; used to decide
    // whether splitting rows (every thread packs all of B) or columns (every thread packs all of A) is cheaper.
    private const long PackCost = 8;

    /// <summary>C[m,n] (+)= A[m,k] · B[k,n].</summary>
    public static void MatMul(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool accumulate)
    {
        CheckShapes(a.Length, (long)m * k, b.Length, (long)k * n, c.Length, (long)m * n);
        Run(Form.AB, a, b, c, m, k, n, accumulate);
    }

    /// <summary>C[m,n] (+)= A[m,k] · B[n,k]ᵀ.</summary>
    public static void MatMulTransB(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool accumulate)
    {
        CheckShapes(a.Length, (long)m * k, b.Length, (long)n * k, c.Length, (long)m * n);
        Run(Form.ABt, a, b, c, m, k, n, accumulate);
    }

    /// <summary>C[m,n] (+)= A[k,m]ᵀ · B[k,n].</summary>
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
        int threads = (int)Math.Min(maxThreads, Math.Max(mTiles, nTiles));
        if (threads <= 1 || work < ParallelThreshold)
        {
            TK.Compute(p, 0, p.M, 0, p.N);
            return;
        }

        // Splitting rows makes every thread pack all of B; splitting columns makes every thread pack all of A.
        long rowSplit = (long)((mTiles + threads - 1) / threads) * TK.MR * p.N * p.K + PackCost * p.K * p.N;
        long colSplit = (long)((nTiles + threads - 1) / threads) * TK.NR * p.M * p.K + PackCost * p.K * p.M;
        bool byRows = rowSplit <= colSplit;
        int tiles = byRows ? mTiles : nTiles;
        threads = Math.Min(threads, tiles);
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
        /// <summary>
        /// C[rows, NR] at c (row stride ldc) = (load ? C : 0) + Ap · Bp over kc steps, where Ap holds MR floats
        /// of A and Bp NR floats of B per step.
        /// </summary>
        static abstract void Tile(int rows, int kc, float* ap, float* bp, float* c, int ldc, bool load);
    }

    /// <summary>
    /// Packed, register-tiled product of C[i0..i1, j0..j1]: B is packed a KC × NC block at a time into
    /// micro-panels of NR columns, A an MR-row micro-panel at a time; each pair meets in one micro-kernel call.
    /// </summary>
    private static void Blocked<TK>(in Problem p, int i0, int i1, int j0, int j1) where TK : struct, IMicroKernel
    {
        int mr = TK.MR, nr = TK.NR;
        int ncMax = Math.Min(NC, RoundUp(j1 - j0, nr));
        float* bPack = PackBuffer.Get(KC * ncMax + KC * mr + mr * nr);
        float* aPack = bPack + KC * ncMax;
        float* edge = aPack + KC * mr;
        int n = p.N;

        for (int jc = j0; jc < j1; jc += NC)
        {
            int nc = Math.Min(NC, j1 - jc);
            for (int pc = 0; pc < p.K; pc += KC)
            {
                int kc = Math.Min(KC, p.K - pc);
                bool load = p.Accumulate || pc > 0;
                for (int jr = 0; jr < nc; jr += nr)
                    PackB(p, pc, kc, jc + jr, Math.Min(nr, nc - jr), nr, bPack + jr * kc);

                for (int ic = i0; ic < i1; ic += mr)
                {
                    int rows = Math.Min(mr, i1 - ic);
                    PackA(p, ic, rows, pc, kc, mr, aPack);
                    for (int jr = 0; jr < nc; jr += nr)
                    {
                        int cols = Math.Min(nr, nc - jr);
                        float* ct = p.C + (long)ic * n + jc + jr;
                        if (cols == nr)
                        {
                            TK.Tile(rows, kc, aPack, bPack + jr * kc, ct, n, load);
                            continue;
                        }

                        // A ragged right edge goes through a full-width scratch tile; the padding columns of the
                        // packed B are zero and their results are dropped.
                        if (load)
                            for (int r = 0; r < rows; r++)
                                new ReadOnlySpan<float>(ct + (long)r * n, cols).CopyTo(new Span<float>(edge + r * nr, cols));
                        TK.Tile(rows, kc, aPack, bPack + jr * kc, edge, nr, load);
                        for (int r = 0; r < rows; r++)
                            new ReadOnlySpan<float>(edge + r * nr, cols).CopyTo(new Span<float>(ct + (long)r * n, cols));
                    }
                }
            }
        }
    }

    private static int RoundUp(int x, int multiple) => (x + multiple - 1) / multiple * multiple;

    /// <summary>Packs B[pc..pc+kc, j..j+cols] as kc rows of nr floats (zero-padded past cols) at dst.</summary>
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
            if (cols < nr)
                new Span<float>(dst + cols, nr - cols).Clear();
        }
    }

    /// <summary>
    /// Transposes 8 rows of length kc (row stride ld) into kc rows of 8 floats at dst (row stride nr),
    /// 8 × 8 blocks at a time.
    /// </summary>
    private static void PackTransposed8(float* src, int ld, int kc, float* dst, int nr)
    {
        int q = 0;
        for (; q + 8 <= kc; q += 8)
        {
            float* s = src + q;
            var r0 = Avx.LoadVector256(s);
            var r1 = Avx.LoadVector256(s + ld);
            var r2 = Avx.LoadVector256(s + 2 * ld);
            var r3 = Avx.LoadVector256(s + 3 * ld);
            var r4 = Avx.LoadVector256(s + 4 * ld);
            var r5 = Avx.LoadVector256(s + 5 * ld);
            var r6 = Avx.LoadVector256(s + 6 * ld);
            var r7 = Avx.LoadVector256(s + 7 * ld);

            var t0 = Avx.UnpackLow(r0, r1);
            var t1 = Avx.UnpackHigh(r0, r1);
            var t2 = Avx.UnpackLow(r2, r3);
            var t3 = Avx.UnpackHigh(r2, r3);
            var t4 = Avx.UnpackLow(r4, r5);
            var t5 = Avx.UnpackHigh(r4, r5);
            var t6 = Avx.UnpackLow(r6, r7);
            var t7 = Avx.UnpackHigh(r6, r7);

            var u0 = Avx.Shuffle(t0, t2, 0x44);
            var u1 = Avx.Shuffle(t0, t2, 0xEE);
            var u2 = Avx.Shuffle(t1, t3, 0x44);
            var u3 = Avx.Shuffle(t1, t3, 0xEE);
            var u4 = Avx.Shuffle(t4, t6, 0x44);
            var u5 = Avx.Shuffle(t4, t6, 0xEE);
            var u6 = Avx.Shuffle(t5, t7, 0x44);
            var u7 = Avx.Shuffle(t5, t7, 0xEE);

            float* d = dst + q * nr;
            Avx.Store(d, Avx.Permute2x128(u0, u4, 0x20));
            Avx.Store(d + nr, Avx.Permute2x128(u1, u5, 0x20));
            Avx.Store(d + 2 * nr, Avx.Permute2x128(u2, u6, 0x20));
            Avx.Store(d + 3 * nr, Avx.Permute2x128(u3, u7, 0x20));
            Avx.Store(d + 4 * nr, Avx.Permute2x128(u0, u4, 0x31));
            Avx.Store(d + 5 * nr, Avx.Permute2x128(u1, u5, 0x31));
            Avx.Store(d + 6 * nr, Avx.Permute2x128(u2, u6, 0x31));
            Avx.Store(d + 7 * nr, Avx.Permute2x128(u3, u7, 0x31));
        }

        for (; q < kc; q++)
            for (int c = 0; c < 8; c++)
                dst[q * nr + c] = src[(long)c * ld + q];
    }

    /// <summary>Packs A[i..i+rows, pc..pc+kc] as kc rows of mr floats at dst (entries past rows are unused).</summary>
    private static void PackA(in Problem p, int i, int rows, int pc, int kc, int mr, float* dst)
    {
        if (p.Form == Form.AtB)
        {
            float* src = p.A + (long)pc * p.M + i;
            for (int q = 0; q < kc; q++, src += p.M)
                for (int r = 0; r < rows; r++)
                    dst[q * mr + r] = src[r];
            return;
        }

        for (int r = 0; r < rows; r++)
        {
            float* src = p.A + (long)(i + r) * p.K + pc;
            for (int q = 0; q < kc; q++)
                dst[q * mr + r] = src[q];
        }
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

    private interface IRows
    {
        static abstract int Count { get; }
    }

    private struct Rows1 : IRows { public static int Count => 1; }
    private struct Rows2 : IRows { public static int Count => 2; }
    private struct Rows3 : IRows { public static int Count => 3; }
    private struct Rows4 : IRows { public static int Count => 4; }
    private struct Rows5 : IRows { public static int Count => 5; }
    private struct Rows6 : IRows { public static int Count => 6; }

    /// <summary>6 × 64 tiles: 24 zmm accumulators, four B vectors and one broadcast of A per step.</summary>
    private struct Kernel512 : IMicroKernel
    {
        public static int MR => 6;
        public static int NR => 64;

        public static void Compute(in Problem p, int i0, int i1, int j0, int j1) => Blocked<Kernel512>(p, i0, i1, j0, j1);

        public static void Tile(int rows, int kc, float* ap, float* bp, float* c, int ldc, bool load)
        {
            switch (rows)
            {
                case 6: Tile<Rows6>(kc, ap, bp, c, ldc, load); break;
                case 5: Tile<Rows5>(kc, ap, bp, c, ldc, load); break;
                case 4: Tile<Rows4>(kc, ap, bp, c, ldc, load); break;
                case 3: Tile<Rows3>(kc, ap, bp, c, ldc, load); break;
                case 2: Tile<Rows2>(kc, ap, bp, c, ldc, load); break;
                default: Tile<Rows1>(kc, ap, bp, c, ldc, load); break;
            }
        }

        // Rows past TRows.Count are dead code once the JIT specialises the method for a TRows struct.
        private static void Tile<TRows>(int kc, float* ap, float* bp, float* c, int ldc, bool load) where TRows : struct, IRows
        {
            int rows = TRows.Count;
            Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default;
            Vector512<float> c10 = default, c11 = default, c12 = default, c13 = default;
            Vector512<float> c20 = default, c21 = default, c22 = default, c23 = default;
            Vector512<float> c30 = default, c31 = default, c32 = default, c33 = default;
            Vector512<float> c40 = default, c41 = default, c42 = default, c43 = default;
            Vector512<float> c50 = default, c51 = default, c52 = default, c53 = default;
            float* c1 = c + ldc, c2 = c1 + ldc, c3 = c2 + ldc, c4 = c3 + ldc, c5 = c4 + ldc;
            if (load)
            {
                c00 = Vector512.Load(c); c01 = Vector512.Load(c + 16); c02 = Vector512.Load(c + 32); c03 = Vector512.Load(c + 48);
                if (rows > 1) { c10 = Vector512.Load(c1); c11 = Vector512.Load(c1 + 16); c12 = Vector512.Load(c1 + 32); c13 = Vector512.Load(c1 + 48); }
                if (rows > 2) { c20 = Vector512.Load(c2); c21 = Vector512.Load(c2 + 16); c22 = Vector512.Load(c2 + 32); c23 = Vector512.Load(c2 + 48); }
                if (rows > 3) { c30 = Vector512.Load(c3); c31 = Vector512.Load(c3 + 16); c32 = Vector512.Load(c3 + 32); c33 = Vector512.Load(c3 + 48); }
                if (rows > 4) { c40 = Vector512.Load(c4); c41 = Vector512.Load(c4 + 16); c42 = Vector512.Load(c4 + 32); c43 = Vector512.Load(c4 + 48); }
                if (rows > 5) { c50 = Vector512.Load(c5); c51 = Vector512.Load(c5 + 16); c52 = Vector512.Load(c5 + 32); c53 = Vector512.Load(c5 + 48); }
            }

            for (int q = 0; q < kc; q++, ap += 6, bp += 64)
            {
                var b0 = Vector512.Load(bp);
                var b1 = Vector512.Load(bp + 16);
                var b2 = Vector512.Load(bp + 32);
                var b3 = Vector512.Load(bp + 48);
                var a = Vector512.Create(ap[0]);
                c00 = Avx512F.FusedMultiplyAdd(a, b0, c00); c01 = Avx512F.FusedMultiplyAdd(a, b1, c01);
                c02 = Avx512F.FusedMultiplyAdd(a, b2, c02); c03 = Avx512F.FusedMultiplyAdd(a, b3, c03);
                if (rows > 1)
                {
                    a = Vector512.Create(ap[1]);
                    c10 = Avx512F.FusedMultiplyAdd(a, b0, c10); c11 = Avx512F.FusedMultiplyAdd(a, b1, c11);
                    c12 = Avx512F.FusedMultiplyAdd(a, b2, c12); c13 = Avx512F.FusedMultiplyAdd(a, b3, c13);
                }
                if (rows > 2)
                {
                    a = Vector512.Create(ap[2]);
                    c20 = Avx512F.FusedMultiplyAdd(a, b0, c20); c21 = Avx512F.FusedMultiplyAdd(a, b1, c21);
                    c22 = Avx512F.FusedMultiplyAdd(a, b2, c22); c23 = Avx512F.FusedMultiplyAdd(a, b3, c23);
                }
                if (rows > 3)
                {
                    a = Vector512.Create(ap[3]);
                    c30 = Avx512F.FusedMultiplyAdd(a, b0, c30); c31 = Avx512F.FusedMultiplyAdd(a, b1, c31);
                    c32 = Avx512F.FusedMultiplyAdd(a, b2, c32); c33 = Avx512F.FusedMultiplyAdd(a, b3, c33);
                }
                if (rows > 4)
                {
                    a = Vector512.Create(ap[4]);
                    c40 = Avx512F.FusedMultiplyAdd(a, b0, c40); c41 = Avx512F.FusedMultiplyAdd(a, b1, c41);
                    c42 = Avx512F.FusedMultiplyAdd(a, b2, c42); c43 = Avx512F.FusedMultiplyAdd(a, b3, c43);
                }
                if (rows > 5)
                {
                    a = Vector512.Create(ap[5]);
                    c50 = Avx512F.FusedMultiplyAdd(a, b0, c50); c51 = Avx512F.FusedMultiplyAdd(a, b1, c51);
                    c52 = Avx512F.FusedMultiplyAdd(a, b2, c52); c53 = Avx512F.FusedMultiplyAdd(a, b3, c53);
                }
            }

            c00.Store(c); c01.Store(c + 16); c02.Store(c + 32); c03.Store(c + 48);
            if (rows > 1) { c10.Store(c1); c11.Store(c1 + 16); c12.Store(c1 + 32); c13.Store(c1 + 48); }
            if (rows > 2) { c20.Store(c2); c21.Store(c2 + 16); c22.Store(c2 + 32); c23.Store(c2 + 48); }
            if (rows > 3) { c30.Store(c3); c31.Store(c3 + 16); c32.Store(c3 + 32); c33.Store(c3 + 48); }
            if (rows > 4) { c40.Store(c4); c41.Store(c4 + 16); c42.Store(c4 + 32); c43.Store(c4 + 48); }
            if (rows > 5) { c50.Store(c5); c51.Store(c5 + 16); c52.Store(c5 + 32); c53.Store(c5 + 48); }
        }
    }

    /// <summary>6 × 16 tiles: 12 ymm accumulators, so the kernel fits the 16 registers of AVX2 machines.</summary>
    private struct Kernel256 : IMicroKernel
    {
        public static int MR => 6;
        public static int NR => 16;

        public static void Compute(in Problem p, int i0, int i1, int j0, int j1) => Blocked<Kernel256>(p, i0, i1, j0, j1);

        public static void Tile(int rows, int kc, float* ap, float* bp, float* c, int ldc, bool load)
        {
            switch (rows)
            {
                case 6: Tile<Rows6>(kc, ap, bp, c, ldc, load); break;
                case 5: Tile<Rows5>(kc, ap, bp, c, ldc, load); break;
                case 4: Tile<Rows4>(kc, ap, bp, c, ldc, load); break;
                case 3: Tile<Rows3>(kc, ap, bp, c, ldc, load); break;
                case 2: Tile<Rows2>(kc, ap, bp, c, ldc, load); break;
                default: Tile<Rows1>(kc, ap, bp, c, ldc, load); break;
            }
        }

        private static void Tile<TRows>(int kc, float* ap, float* bp, float* c, int ldc, bool load) where TRows : struct, IRows
        {
            int rows = TRows.Count;
            Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
            Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
            float* c1 = c + ldc, c2 = c1 + ldc, c3 = c2 + ldc, c4 = c3 + ldc, c5 = c4 + ldc;
            if (load)
            {
                c00 = Vector256.Load(c); c01 = Vector256.Load(c + 8);
                if (rows > 1) { c10 = Vector256.Load(c1); c11 = Vector256.Load(c1 + 8); }
                if (rows > 2) { c20 = Vector256.Load(c2); c21 = Vector256.Load(c2 + 8); }
                if (rows > 3) { c30 = Vector256.Load(c3); c31 = Vector256.Load(c3 + 8); }
                if (rows > 4) { c40 = Vector256.Load(c4); c41 = Vector256.Load(c4 + 8); }
                if (rows > 5) { c50 = Vector256.Load(c5); c51 = Vector256.Load(c5 + 8); }
            }

            for (int q = 0; q < kc; q++, ap += 6, bp += 16)
            {
                var b0 = Vector256.Load(bp);
                var b1 = Vector256.Load(bp + 8);
                var a = Vector256.Create(ap[0]);
                c00 = Fma.MultiplyAdd(a, b0, c00); c01 = Fma.MultiplyAdd(a, b1, c01);
                if (rows > 1) { a = Vector256.Create(ap[1]); c10 = Fma.MultiplyAdd(a, b0, c10); c11 = Fma.MultiplyAdd(a, b1, c11); }
                if (rows > 2) { a = Vector256.Create(ap[2]); c20 = Fma.MultiplyAdd(a, b0, c20); c21 = Fma.MultiplyAdd(a, b1, c21); }
                if (rows > 3) { a = Vector256.Create(ap[3]); c30 = Fma.MultiplyAdd(a, b0, c30); c31 = Fma.MultiplyAdd(a, b1, c31); }
                if (rows > 4) { a = Vector256.Create(ap[4]); c40 = Fma.MultiplyAdd(a, b0, c40); c41 = Fma.MultiplyAdd(a, b1, c41); }
                if (rows > 5) { a = Vector256.Create(ap[5]); c50 = Fma.MultiplyAdd(a, b0, c50); c51 = Fma.MultiplyAdd(a, b1, c51); }
            }

            c00.Store(c); c01.Store(c + 8);
            if (rows > 1) { c10.Store(c1); c11.Store(c1 + 8); }
            if (rows > 2) { c20.Store(c2); c21.Store(c2 + 8); }
            if (rows > 3) { c30.Store(c3); c31.Store(c3 + 8); }
            if (rows > 4) { c40.Store(c4); c41.Store(c4 + 8); }
            if (rows > 5) { c50.Store(c5); c51.Store(c5 + 8); }
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

        public static void Compute(in Problem p, int i0, int i1, int j0, int j1)
        {
            int m = p.M, k = p.K, n = p.N, cols = j1 - j0;
            for (int i = i0; i < i1; i++)
            {
                float* cr = p.C + (long)i * n + j0;
                if (p.Form == Form.ABt)
                {
                    float* ar = p.A + (long)i * k;
                    for (int j = 0; j < cols; j++)
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
