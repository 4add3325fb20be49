using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.Recurrent.Numerics;

// The few-row kernels: MatMul with 1 … FewRowsMax rows of A, i.e. matrix–vector products such as one sampling
// step of a recurrent network. These are bound by reading B, so B is streamed once, row after row: for each q,
// C[r, j] = fma(A[r, q], B[q, j], C[r, j]) for a block of columns j held in vector registers (one lane per column, one
// accumulator vector per row of C and vector of columns), the loaded vector of B reused for every row. A lane computes the
// same FMA chain over q = 0 … k−1 as the blocked kernels, so the bits are the same on every path. The column blocks are as
// wide as the registers allow and of balanced widths; the edge vectors of a block are masked, so any n runs without scratch
// copies or scalar tails, and where n is a multiple of the vector width the blocks start at the alignment of B's rows so
// that its other loads are aligned (a load across a cache line costs two).
internal static unsafe partial class Gemm
{
    /// <summary>
    /// Up to this many rows MatMul runs the few-row kernels instead of the blocked ones (three with 256-bit vectors, whose
    /// 16 registers cannot hold four rows of accumulators). At the cutoff the two are about even where the blocked kernels
    /// need no ragged edge; below it the few-row kernels are faster.
    /// </summary>
    private const int FewRowsMax = 4, FewRowsMax256 = 3;

    /// <summary>
    /// Multiply-adds from which a few-row product is split with the partner thread (a hand-off costs a few hundred
    /// nanoseconds; 1×128×512 takes ≈ 2.4 µs alone).
    /// </summary>
    private const long PartnerThreshold = 1L << 15;

    /// <summary>C[m,n] (+)= A[m,k] · B[k,n] for 1 ≤ m ≤ FewRowsMax, k ≥ 1, n ≥ 1 at the given vector width.</summary>
    private static void MatMulFewRows(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool accumulate, int width)
    {
        fixed (float* pa = a, pb = b, pc = c)
        {
            var p = new Problem(Form.AB, pa, pb, pc, m, k, n, accumulate);
            if ((long)m * k * n < PartnerThreshold || n < 64 || KernelSettings.Threads < 2 || !Partner.TryAcquire())
            {
                FewRows(p, width, 0, n);
                return;
            }
            try
            {
                int split = (n + 31) / 32 * 16; // the partner takes the right half, in whole cache lines
                Partner.Post(p, width, split, n);
                FewRows(p, width, 0, split);
                Partner.Wait();
            }
            finally
            {
                Partner.Release();
            }
        }
    }

    private static void FewRows(in Problem p, int width, int j0, int j1)
    {
        switch (width)
        {
            case 512:
                FewRowsBlocks<FewRows512>(p, j0, j1);
                break;
            case 256:
                FewRowsBlocks<FewRows256>(p, j0, j1);
                break;
            default:
                FewRowsScalar(p, j0, j1);
                break;
        }
    }

    private interface IFewRowsKernel
    {
        /// <summary>Floats per vector.</summary>
        static abstract int VW { get; }

        /// <summary>
        /// Most vectors of C per row that one block keeps in registers: rows × MaxVecs accumulators, a broadcast of A per row
        /// and a vector of B must fit the register file. At least 4, so that balanced blocks have at least 2 vectors.
        /// </summary>
        static abstract int MaxVecs(int rows);

        /// <summary>
        /// C[rows, lanes] at c (row stride ldc) = (load ? C : 0) + Σ_q A[r, q]·B[q, ·] over k steps, where A[r, q] = a[r·lda + q]
        /// and row q of B starts at b + q·ldb, for vecs ≥ 2 vectors of lanes: a head vector of which lanes headStart ≤ l &lt; headEnd
        /// are used, vecs − 2 whole vectors, and a tail vector of which the first tailLanes are used.
        /// </summary>
        static abstract void Block(int rows, int vecs, int k, float* a, nint lda, float* b, nint ldb, float* c, nint ldc, int headStart, int headEnd, int tailLanes, bool load);
    }

    /// <summary>
    /// C[.., j0..j1) in blocks of at most MaxVecs vectors. Where every row of B starts at the same offset within a vector
    /// (n a multiple of the width), the vectors are shifted back to that offset so that all but the masked head and tail
    /// loads of B are aligned.
    /// </summary>
    private static void FewRowsBlocks<TK>(in Problem p, int j0, int j1) where TK : struct, IFewRowsKernel
    {
        int vw = TK.VW;
        int shift = p.N % vw == 0 ? (int)((nuint)(p.B + j0) / sizeof(float) % (nuint)vw) : 0;
        int lanes = j1 - j0 + shift, vecs = Math.Max(2, (lanes + vw - 1) / vw), max = TK.MaxVecs(p.M);
        float* b = p.B + j0 - shift, c = p.C + j0 - shift;
        if (vecs <= max)
        {
            TK.Block(p.M, vecs, p.K, p.A, p.K, b, p.N, c, p.N, shift, Math.Min(vw, lanes), lanes - (vecs - 1) * vw, p.Accumulate);
            return;
        }

        int blocks = (vecs + max - 1) / max;
        for (int blk = 0, done = 0; blk < blocks; blk++)
        {
            int end = (int)((long)vecs * (blk + 1) / blocks), v = end - done, first = done * vw;
            done = end;
            TK.Block(p.M, v, p.K, p.A, p.K, b + first, p.N, c + first, p.N, blk == 0 ? shift : 0, vw, Math.Min(vw, lanes - (end - 1) * vw), p.Accumulate);
        }
    }

    /// <summary>
    /// The scalar path: each row of C in memory, updated with four rows of B at a time, c = fma(a₃, b₃, fma(a₂, b₂,
    /// fma(a₁, b₁, fma(a₀, b₀, c)))), which keeps the chain over q in order and reads and writes C a quarter as often.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FewRowsScalar(in Problem p, int j0, int j1)
    {
        int k = p.K, cols = j1 - j0;
        nint n = p.N;
        for (int i = 0; i < p.M; i++)
        {
            float* ar = p.A + (long)i * k, cr = p.C + i * n + j0, b = p.B + j0;
            if (!p.Accumulate)
                new Span<float>(cr, cols).Clear();
            int q = 0;
            for (; q + 4 <= k; q += 4, b += 4 * n)
            {
                float a0 = ar[q], a1 = ar[q + 1], a2 = ar[q + 2], a3 = ar[q + 3];
                float* b1 = b + n, b2 = b1 + n, b3 = b2 + n;
                for (int j = 0; j < cols; j++)
                    cr[j] = MathF.FusedMultiplyAdd(a3, b3[j], MathF.FusedMultiplyAdd(a2, b2[j], MathF.FusedMultiplyAdd(a1, b1[j], MathF.FusedMultiplyAdd(a0, b[j], cr[j]))));
            }

            for (; q < k; q++, b += n)
            {
                float a0 = ar[q];
                for (int j = 0; j < cols; j++)
                    cr[j] = MathF.FusedMultiplyAdd(a0, b[j], cr[j]);
            }
        }
    }

    private struct Zero : ICount { public static int Value => 0; }
    private struct Seven : ICount { public static int Value => 7; }
    private struct Eight : ICount { public static int Value => 8; }
    private struct Nine : ICount { public static int Value => 9; }
    private struct Ten : ICount { public static int Value => 10; }
    private struct Eleven : ICount { public static int Value => 11; }
    private struct Twelve : ICount { public static int Value => 12; }
    private struct Thirteen : ICount { public static int Value => 13; }
    private struct Fourteen : ICount { public static int Value => 14; }
    private struct Fifteen : ICount { public static int Value => 15; }

    /// <summary>A yes/no fixed per generic instantiation.</summary>
    private interface IFlag
    {
        static abstract bool Value { get; }
    }

    private struct Yes : IFlag { public static bool Value => true; }
    private struct No : IFlag { public static bool Value => false; }

    private struct FewRows512 : IFewRowsKernel
    {
        public static int VW => 16;

        public static int MaxVecs(int rows) => rows switch
        {
            1 => 16,
            2 => 12,
            3 => 8,
            _ => 5,
        };

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Block(int rows, int vecs, int k, float* a, nint lda, float* b, nint ldb, float* c, nint ldc, int headStart, int headEnd, int tailLanes, bool load)
        {
            int kind = (headStart > 0 || headEnd < VW ? 2 : 0) + (tailLanes < VW ? 1 : 0);
            int first = rows switch
            {
                1 => 0,
                2 => 15,
                3 => 26,
                _ => 33,
            };
            s_blocks[kind * 37 + first + vecs - 2](k, a, lda, b, ldb, c, ldc, headStart, headEnd, tailLanes, load);
        }

        /// <summary>Block&lt;rows, vecs − 2, head masked, tail masked&gt; for every valid rows and vecs, by (head, tail, rows, vecs).</summary>
        private static readonly delegate*<int, float*, nint, float*, nint, float*, nint, int, int, int, bool, void>[] s_blocks =
        [
            // 1 row, head whole, tail whole
            &Block<One, Zero, No, No>, &Block<One, One, No, No>, &Block<One, Two, No, No>, &Block<One, Three, No, No>,
            &Block<One, Four, No, No>, &Block<One, Five, No, No>, &Block<One, Six, No, No>, &Block<One, Seven, No, No>,
            &Block<One, Eight, No, No>, &Block<One, Nine, No, No>, &Block<One, Ten, No, No>, &Block<One, Eleven, No, No>,
            &Block<One, Twelve, No, No>, &Block<One, Thirteen, No, No>, &Block<One, Fourteen, No, No>,
            // 2 rows, head whole, tail whole
            &Block<Two, Zero, No, No>, &Block<Two, One, No, No>, &Block<Two, Two, No, No>, &Block<Two, Three, No, No>,
            &Block<Two, Four, No, No>, &Block<Two, Five, No, No>, &Block<Two, Six, No, No>, &Block<Two, Seven, No, No>,
            &Block<Two, Eight, No, No>, &Block<Two, Nine, No, No>, &Block<Two, Ten, No, No>,
            // 3 rows, head whole, tail whole
            &Block<Three, Zero, No, No>, &Block<Three, One, No, No>, &Block<Three, Two, No, No>, &Block<Three, Three, No, No>,
            &Block<Three, Four, No, No>, &Block<Three, Five, No, No>, &Block<Three, Six, No, No>,
            // 4 rows, head whole, tail whole
            &Block<Four, Zero, No, No>, &Block<Four, One, No, No>, &Block<Four, Two, No, No>, &Block<Four, Three, No, No>,
            // 1 row, head whole, tail masked
            &Block<One, Zero, No, Yes>, &Block<One, One, No, Yes>, &Block<One, Two, No, Yes>, &Block<One, Three, No, Yes>,
            &Block<One, Four, No, Yes>, &Block<One, Five, No, Yes>, &Block<One, Six, No, Yes>, &Block<One, Seven, No, Yes>,
            &Block<One, Eight, No, Yes>, &Block<One, Nine, No, Yes>, &Block<One, Ten, No, Yes>, &Block<One, Eleven, No, Yes>,
            &Block<One, Twelve, No, Yes>, &Block<One, Thirteen, No, Yes>, &Block<One, Fourteen, No, Yes>,
            // 2 rows, head whole, tail masked
            &Block<Two, Zero, No, Yes>, &Block<Two, One, No, Yes>, &Block<Two, Two, No, Yes>, &Block<Two, Three, No, Yes>,
            &Block<Two, Four, No, Yes>, &Block<Two, Five, No, Yes>, &Block<Two, Six, No, Yes>, &Block<Two, Seven, No, Yes>,
            &Block<Two, Eight, No, Yes>, &Block<Two, Nine, No, Yes>, &Block<Two, Ten, No, Yes>,
            // 3 rows, head whole, tail masked
            &Block<Three, Zero, No, Yes>, &Block<Three, One, No, Yes>, &Block<Three, Two, No, Yes>,
            &Block<Three, Three, No, Yes>, &Block<Three, Four, No, Yes>, &Block<Three, Five, No, Yes>,
            &Block<Three, Six, No, Yes>,
            // 4 rows, head whole, tail masked
            &Block<Four, Zero, No, Yes>, &Block<Four, One, No, Yes>, &Block<Four, Two, No, Yes>, &Block<Four, Three, No, Yes>,
            // 1 row, head masked, tail whole
            &Block<One, Zero, Yes, No>, &Block<One, One, Yes, No>, &Block<One, Two, Yes, No>, &Block<One, Three, Yes, No>,
            &Block<One, Four, Yes, No>, &Block<One, Five, Yes, No>, &Block<One, Six, Yes, No>, &Block<One, Seven, Yes, No>,
            &Block<One, Eight, Yes, No>, &Block<One, Nine, Yes, No>, &Block<One, Ten, Yes, No>, &Block<One, Eleven, Yes, No>,
            &Block<One, Twelve, Yes, No>, &Block<One, Thirteen, Yes, No>, &Block<One, Fourteen, Yes, No>,
            // 2 rows, head masked, tail whole
            &Block<Two, Zero, Yes, No>, &Block<Two, One, Yes, No>, &Block<Two, Two, Yes, No>, &Block<Two, Three, Yes, No>,
            &Block<Two, Four, Yes, No>, &Block<Two, Five, Yes, No>, &Block<Two, Six, Yes, No>, &Block<Two, Seven, Yes, No>,
            &Block<Two, Eight, Yes, No>, &Block<Two, Nine, Yes, No>, &Block<Two, Ten, Yes, No>,
            // 3 rows, head masked, tail whole
            &Block<Three, Zero, Yes, No>, &Block<Three, One, Yes, No>, &Block<Three, Two, Yes, No>,
            &Block<Three, Three, Yes, No>, &Block<Three, Four, Yes, No>, &Block<Three, Five, Yes, No>,
            &Block<Three, Six, Yes, No>,
            // 4 rows, head masked, tail whole
            &Block<Four, Zero, Yes, No>, &Block<Four, One, Yes, No>, &Block<Four, Two, Yes, No>, &Block<Four, Three, Yes, No>,
            // 1 row, head masked, tail masked
            &Block<One, Zero, Yes, Yes>, &Block<One, One, Yes, Yes>, &Block<One, Two, Yes, Yes>, &Block<One, Three, Yes, Yes>,
            &Block<One, Four, Yes, Yes>, &Block<One, Five, Yes, Yes>, &Block<One, Six, Yes, Yes>, &Block<One, Seven, Yes, Yes>,
            &Block<One, Eight, Yes, Yes>, &Block<One, Nine, Yes, Yes>, &Block<One, Ten, Yes, Yes>, &Block<One, Eleven, Yes, Yes>,
            &Block<One, Twelve, Yes, Yes>, &Block<One, Thirteen, Yes, Yes>, &Block<One, Fourteen, Yes, Yes>,
            // 2 rows, head masked, tail masked
            &Block<Two, Zero, Yes, Yes>, &Block<Two, One, Yes, Yes>, &Block<Two, Two, Yes, Yes>, &Block<Two, Three, Yes, Yes>,
            &Block<Two, Four, Yes, Yes>, &Block<Two, Five, Yes, Yes>, &Block<Two, Six, Yes, Yes>, &Block<Two, Seven, Yes, Yes>,
            &Block<Two, Eight, Yes, Yes>, &Block<Two, Nine, Yes, Yes>, &Block<Two, Ten, Yes, Yes>,
            // 3 rows, head masked, tail masked
            &Block<Three, Zero, Yes, Yes>, &Block<Three, One, Yes, Yes>, &Block<Three, Two, Yes, Yes>,
            &Block<Three, Three, Yes, Yes>, &Block<Three, Four, Yes, Yes>, &Block<Three, Five, Yes, Yes>,
            &Block<Three, Six, Yes, Yes>,
            // 4 rows, head masked, tail masked
            &Block<Four, Zero, Yes, Yes>, &Block<Four, One, Yes, Yes>, &Block<Four, Two, Yes, Yes>,
            &Block<Four, Three, Yes, Yes>,
        ];

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Block<TRows, TFull, THead, TTail>(int k, float* a, nint lda, float* b, nint ldb, float* c, nint ldc, int headStart, int headEnd, int tailLanes, bool load)
            where TRows : struct, ICount
            where TFull : struct, ICount
            where THead : struct, IFlag
            where TTail : struct, IFlag
        {
            // Constants once the JIT specialises the method, as in Kernel512.Tile.
            nint tail = (TFull.Value + 1) * 16;
            var lane = Vector512<int>.Indices;
            var headMask = (Vector512.GreaterThanOrEqual(lane, Vector512.Create(headStart)) & Vector512.LessThan(lane, Vector512.Create(headEnd))).AsSingle();
            var tailMask = Vector512.LessThan(lane, Vector512.Create(tailLanes)).AsSingle();
            Vector512<float> h0 = default, c0_0 = default, c0_1 = default, c0_2 = default, c0_3 = default, c0_4 = default, c0_5 = default, c0_6 = default, c0_7 = default, c0_8 = default, c0_9 = default, c0_10 = default, c0_11 = default, c0_12 = default, c0_13 = default, t0 = default;
            Vector512<float> h1 = default, c1_0 = default, c1_1 = default, c1_2 = default, c1_3 = default, c1_4 = default, c1_5 = default, c1_6 = default, c1_7 = default, c1_8 = default, c1_9 = default, t1 = default;
            Vector512<float> h2 = default, c2_0 = default, c2_1 = default, c2_2 = default, c2_3 = default, c2_4 = default, c2_5 = default, t2 = default;
            Vector512<float> h3 = default, c3_0 = default, c3_1 = default, c3_2 = default, t3 = default;
            float* c1 = c + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
            if (load)
            {
                h0 = THead.Value ? Avx512F.MaskLoad(c, headMask, Vector512<float>.Zero) : Avx512F.LoadVector512(c);
                if (TFull.Value > 0) c0_0 = Avx512F.LoadVector512(c + 16);
                if (TFull.Value > 1) c0_1 = Avx512F.LoadVector512(c + 32);
                if (TFull.Value > 2) c0_2 = Avx512F.LoadVector512(c + 48);
                if (TFull.Value > 3) c0_3 = Avx512F.LoadVector512(c + 64);
                if (TFull.Value > 4) c0_4 = Avx512F.LoadVector512(c + 80);
                if (TFull.Value > 5) c0_5 = Avx512F.LoadVector512(c + 96);
                if (TFull.Value > 6) c0_6 = Avx512F.LoadVector512(c + 112);
                if (TFull.Value > 7) c0_7 = Avx512F.LoadVector512(c + 128);
                if (TFull.Value > 8) c0_8 = Avx512F.LoadVector512(c + 144);
                if (TFull.Value > 9) c0_9 = Avx512F.LoadVector512(c + 160);
                if (TFull.Value > 10) c0_10 = Avx512F.LoadVector512(c + 176);
                if (TFull.Value > 11) c0_11 = Avx512F.LoadVector512(c + 192);
                if (TFull.Value > 12) c0_12 = Avx512F.LoadVector512(c + 208);
                if (TFull.Value > 13) c0_13 = Avx512F.LoadVector512(c + 224);
                t0 = TTail.Value ? Avx512F.MaskLoad(c + tail, tailMask, Vector512<float>.Zero) : Avx512F.LoadVector512(c + tail);
                if (TRows.Value > 1)
                {
                    h1 = THead.Value ? Avx512F.MaskLoad(c1, headMask, Vector512<float>.Zero) : Avx512F.LoadVector512(c1);
                    if (TFull.Value > 0) c1_0 = Avx512F.LoadVector512(c1 + 16);
                    if (TFull.Value > 1) c1_1 = Avx512F.LoadVector512(c1 + 32);
                    if (TFull.Value > 2) c1_2 = Avx512F.LoadVector512(c1 + 48);
                    if (TFull.Value > 3) c1_3 = Avx512F.LoadVector512(c1 + 64);
                    if (TFull.Value > 4) c1_4 = Avx512F.LoadVector512(c1 + 80);
                    if (TFull.Value > 5) c1_5 = Avx512F.LoadVector512(c1 + 96);
                    if (TFull.Value > 6) c1_6 = Avx512F.LoadVector512(c1 + 112);
                    if (TFull.Value > 7) c1_7 = Avx512F.LoadVector512(c1 + 128);
                    if (TFull.Value > 8) c1_8 = Avx512F.LoadVector512(c1 + 144);
                    if (TFull.Value > 9) c1_9 = Avx512F.LoadVector512(c1 + 160);
                    t1 = TTail.Value ? Avx512F.MaskLoad(c1 + tail, tailMask, Vector512<float>.Zero) : Avx512F.LoadVector512(c1 + tail);
                }
                if (TRows.Value > 2)
                {
                    h2 = THead.Value ? Avx512F.MaskLoad(c2, headMask, Vector512<float>.Zero) : Avx512F.LoadVector512(c2);
                    if (TFull.Value > 0) c2_0 = Avx512F.LoadVector512(c2 + 16);
                    if (TFull.Value > 1) c2_1 = Avx512F.LoadVector512(c2 + 32);
                    if (TFull.Value > 2) c2_2 = Avx512F.LoadVector512(c2 + 48);
                    if (TFull.Value > 3) c2_3 = Avx512F.LoadVector512(c2 + 64);
                    if (TFull.Value > 4) c2_4 = Avx512F.LoadVector512(c2 + 80);
                    if (TFull.Value > 5) c2_5 = Avx512F.LoadVector512(c2 + 96);
                    t2 = TTail.Value ? Avx512F.MaskLoad(c2 + tail, tailMask, Vector512<float>.Zero) : Avx512F.LoadVector512(c2 + tail);
                }
                if (TRows.Value > 3)
                {
                    h3 = THead.Value ? Avx512F.MaskLoad(c3, headMask, Vector512<float>.Zero) : Avx512F.LoadVector512(c3);
                    if (TFull.Value > 0) c3_0 = Avx512F.LoadVector512(c3 + 16);
                    if (TFull.Value > 1) c3_1 = Avx512F.LoadVector512(c3 + 32);
                    if (TFull.Value > 2) c3_2 = Avx512F.LoadVector512(c3 + 48);
                    t3 = TTail.Value ? Avx512F.MaskLoad(c3 + tail, tailMask, Vector512<float>.Zero) : Avx512F.LoadVector512(c3 + tail);
                }
            }

            nint a1 = lda, a2 = 2 * lda, a3 = 3 * lda;
            for (int q = 0; q < k; q++, a++, b += ldb)
            {
                var x0 = Avx512F.BroadcastScalarToVector512(Sse.LoadScalarVector128(a));
                var x1 = TRows.Value > 1 ? Avx512F.BroadcastScalarToVector512(Sse.LoadScalarVector128(a + a1)) : default;
                var x2 = TRows.Value > 2 ? Avx512F.BroadcastScalarToVector512(Sse.LoadScalarVector128(a + a2)) : default;
                var x3 = TRows.Value > 3 ? Avx512F.BroadcastScalarToVector512(Sse.LoadScalarVector128(a + a3)) : default;
                var bh = THead.Value ? Avx512F.MaskLoad(b, headMask, Vector512<float>.Zero) : Avx512F.LoadVector512(b);
                h0 = Avx512F.FusedMultiplyAdd(x0, bh, h0);
                if (TRows.Value > 1) h1 = Avx512F.FusedMultiplyAdd(x1, bh, h1);
                if (TRows.Value > 2) h2 = Avx512F.FusedMultiplyAdd(x2, bh, h2);
                if (TRows.Value > 3) h3 = Avx512F.FusedMultiplyAdd(x3, bh, h3);
                if (TFull.Value > 0)
                {
                    var b0 = Avx512F.LoadVector512(b + 16);
                    c0_0 = Avx512F.FusedMultiplyAdd(x0, b0, c0_0);
                    if (TRows.Value > 1) c1_0 = Avx512F.FusedMultiplyAdd(x1, b0, c1_0);
                    if (TRows.Value > 2) c2_0 = Avx512F.FusedMultiplyAdd(x2, b0, c2_0);
                    if (TRows.Value > 3) c3_0 = Avx512F.FusedMultiplyAdd(x3, b0, c3_0);
                }
                if (TFull.Value > 1)
                {
                    var b1 = Avx512F.LoadVector512(b + 32);
                    c0_1 = Avx512F.FusedMultiplyAdd(x0, b1, c0_1);
                    if (TRows.Value > 1) c1_1 = Avx512F.FusedMultiplyAdd(x1, b1, c1_1);
                    if (TRows.Value > 2) c2_1 = Avx512F.FusedMultiplyAdd(x2, b1, c2_1);
                    if (TRows.Value > 3) c3_1 = Avx512F.FusedMultiplyAdd(x3, b1, c3_1);
                }
                if (TFull.Value > 2)
                {
                    var b2 = Avx512F.LoadVector512(b + 48);
                    c0_2 = Avx512F.FusedMultiplyAdd(x0, b2, c0_2);
                    if (TRows.Value > 1) c1_2 = Avx512F.FusedMultiplyAdd(x1, b2, c1_2);
                    if (TRows.Value > 2) c2_2 = Avx512F.FusedMultiplyAdd(x2, b2, c2_2);
                    if (TRows.Value > 3) c3_2 = Avx512F.FusedMultiplyAdd(x3, b2, c3_2);
                }
                if (TFull.Value > 3)
                {
                    var b3 = Avx512F.LoadVector512(b + 64);
                    c0_3 = Avx512F.FusedMultiplyAdd(x0, b3, c0_3);
                    if (TRows.Value > 1) c1_3 = Avx512F.FusedMultiplyAdd(x1, b3, c1_3);
                    if (TRows.Value > 2) c2_3 = Avx512F.FusedMultiplyAdd(x2, b3, c2_3);
                }
                if (TFull.Value > 4)
                {
                    var b4 = Avx512F.LoadVector512(b + 80);
                    c0_4 = Avx512F.FusedMultiplyAdd(x0, b4, c0_4);
                    if (TRows.Value > 1) c1_4 = Avx512F.FusedMultiplyAdd(x1, b4, c1_4);
                    if (TRows.Value > 2) c2_4 = Avx512F.FusedMultiplyAdd(x2, b4, c2_4);
                }
                if (TFull.Value > 5)
                {
                    var b5 = Avx512F.LoadVector512(b + 96);
                    c0_5 = Avx512F.FusedMultiplyAdd(x0, b5, c0_5);
                    if (TRows.Value > 1) c1_5 = Avx512F.FusedMultiplyAdd(x1, b5, c1_5);
                    if (TRows.Value > 2) c2_5 = Avx512F.FusedMultiplyAdd(x2, b5, c2_5);
                }
                if (TFull.Value > 6)
                {
                    var b6 = Avx512F.LoadVector512(b + 112);
                    c0_6 = Avx512F.FusedMultiplyAdd(x0, b6, c0_6);
                    if (TRows.Value > 1) c1_6 = Avx512F.FusedMultiplyAdd(x1, b6, c1_6);
                }
                if (TFull.Value > 7)
                {
                    var b7 = Avx512F.LoadVector512(b + 128);
                    c0_7 = Avx512F.FusedMultiplyAdd(x0, b7, c0_7);
                    if (TRows.Value > 1) c1_7 = Avx512F.FusedMultiplyAdd(x1, b7, c1_7);
                }
                if (TFull.Value > 8)
                {
                    var b8 = Avx512F.LoadVector512(b + 144);
                    c0_8 = Avx512F.FusedMultiplyAdd(x0, b8, c0_8);
                    if (TRows.Value > 1) c1_8 = Avx512F.FusedMultiplyAdd(x1, b8, c1_8);
                }
                if (TFull.Value > 9)
                {
                    var b9 = Avx512F.LoadVector512(b + 160);
                    c0_9 = Avx512F.FusedMultiplyAdd(x0, b9, c0_9);
                    if (TRows.Value > 1) c1_9 = Avx512F.FusedMultiplyAdd(x1, b9, c1_9);
                }
                if (TFull.Value > 10)
                {
                    var b10 = Avx512F.LoadVector512(b + 176);
                    c0_10 = Avx512F.FusedMultiplyAdd(x0, b10, c0_10);
                }
                if (TFull.Value > 11)
                {
                    var b11 = Avx512F.LoadVector512(b + 192);
                    c0_11 = Avx512F.FusedMultiplyAdd(x0, b11, c0_11);
                }
                if (TFull.Value > 12)
                {
                    var b12 = Avx512F.LoadVector512(b + 208);
                    c0_12 = Avx512F.FusedMultiplyAdd(x0, b12, c0_12);
                }
                if (TFull.Value > 13)
                {
                    var b13 = Avx512F.LoadVector512(b + 224);
                    c0_13 = Avx512F.FusedMultiplyAdd(x0, b13, c0_13);
                }
                var bt = TTail.Value ? Avx512F.MaskLoad(b + tail, tailMask, Vector512<float>.Zero) : Avx512F.LoadVector512(b + tail);
                t0 = Avx512F.FusedMultiplyAdd(x0, bt, t0);
                if (TRows.Value > 1) t1 = Avx512F.FusedMultiplyAdd(x1, bt, t1);
                if (TRows.Value > 2) t2 = Avx512F.FusedMultiplyAdd(x2, bt, t2);
                if (TRows.Value > 3) t3 = Avx512F.FusedMultiplyAdd(x3, bt, t3);
            }

            if (THead.Value) Avx512F.MaskStore(c, headMask, h0); else Avx512F.Store(c, h0);
            if (TFull.Value > 0) Avx512F.Store(c + 16, c0_0);
            if (TFull.Value > 1) Avx512F.Store(c + 32, c0_1);
            if (TFull.Value > 2) Avx512F.Store(c + 48, c0_2);
            if (TFull.Value > 3) Avx512F.Store(c + 64, c0_3);
            if (TFull.Value > 4) Avx512F.Store(c + 80, c0_4);
            if (TFull.Value > 5) Avx512F.Store(c + 96, c0_5);
            if (TFull.Value > 6) Avx512F.Store(c + 112, c0_6);
            if (TFull.Value > 7) Avx512F.Store(c + 128, c0_7);
            if (TFull.Value > 8) Avx512F.Store(c + 144, c0_8);
            if (TFull.Value > 9) Avx512F.Store(c + 160, c0_9);
            if (TFull.Value > 10) Avx512F.Store(c + 176, c0_10);
            if (TFull.Value > 11) Avx512F.Store(c + 192, c0_11);
            if (TFull.Value > 12) Avx512F.Store(c + 208, c0_12);
            if (TFull.Value > 13) Avx512F.Store(c + 224, c0_13);
            if (TTail.Value) Avx512F.MaskStore(c + tail, tailMask, t0); else Avx512F.Store(c + tail, t0);
            if (TRows.Value > 1)
            {
                if (THead.Value) Avx512F.MaskStore(c1, headMask, h1); else Avx512F.Store(c1, h1);
                if (TFull.Value > 0) Avx512F.Store(c1 + 16, c1_0);
                if (TFull.Value > 1) Avx512F.Store(c1 + 32, c1_1);
                if (TFull.Value > 2) Avx512F.Store(c1 + 48, c1_2);
                if (TFull.Value > 3) Avx512F.Store(c1 + 64, c1_3);
                if (TFull.Value > 4) Avx512F.Store(c1 + 80, c1_4);
                if (TFull.Value > 5) Avx512F.Store(c1 + 96, c1_5);
                if (TFull.Value > 6) Avx512F.Store(c1 + 112, c1_6);
                if (TFull.Value > 7) Avx512F.Store(c1 + 128, c1_7);
                if (TFull.Value > 8) Avx512F.Store(c1 + 144, c1_8);
                if (TFull.Value > 9) Avx512F.Store(c1 + 160, c1_9);
                if (TTail.Value) Avx512F.MaskStore(c1 + tail, tailMask, t1); else Avx512F.Store(c1 + tail, t1);
            }
            if (TRows.Value > 2)
            {
                if (THead.Value) Avx512F.MaskStore(c2, headMask, h2); else Avx512F.Store(c2, h2);
                if (TFull.Value > 0) Avx512F.Store(c2 + 16, c2_0);
                if (TFull.Value > 1) Avx512F.Store(c2 + 32, c2_1);
                if (TFull.Value > 2) Avx512F.Store(c2 + 48, c2_2);
                if (TFull.Value > 3) Avx512F.Store(c2 + 64, c2_3);
                if (TFull.Value > 4) Avx512F.Store(c2 + 80, c2_4);
                if (TFull.Value > 5) Avx512F.Store(c2 + 96, c2_5);
                if (TTail.Value) Avx512F.MaskStore(c2 + tail, tailMask, t2); else Avx512F.Store(c2 + tail, t2);
            }
            if (TRows.Value > 3)
            {
                if (THead.Value) Avx512F.MaskStore(c3, headMask, h3); else Avx512F.Store(c3, h3);
                if (TFull.Value > 0) Avx512F.Store(c3 + 16, c3_0);
                if (TFull.Value > 1) Avx512F.Store(c3 + 32, c3_1);
                if (TFull.Value > 2) Avx512F.Store(c3 + 48, c3_2);
                if (TTail.Value) Avx512F.MaskStore(c3 + tail, tailMask, t3); else Avx512F.Store(c3 + tail, t3);
            }
        }
    }

    private struct FewRows256 : IFewRowsKernel
    {
        public static int VW => 8;

        public static int MaxVecs(int rows) => rows switch
        {
            1 => 14,
            2 => 5,
            _ => 4,
        };

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Block(int rows, int vecs, int k, float* a, nint lda, float* b, nint ldb, float* c, nint ldc, int headStart, int headEnd, int tailLanes, bool load)
        {
            int kind = (headStart > 0 || headEnd < VW ? 2 : 0) + (tailLanes < VW ? 1 : 0);
            int first = rows switch
            {
                1 => 0,
                2 => 13,
                _ => 17,
            };
            s_blocks[kind * 20 + first + vecs - 2](k, a, lda, b, ldb, c, ldc, headStart, headEnd, tailLanes, load);
        }

        /// <summary>Block&lt;rows, vecs − 2, head masked, tail masked&gt; for every valid rows and vecs, by (head, tail, rows, vecs).</summary>
        private static readonly delegate*<int, float*, nint, float*, nint, float*, nint, int, int, int, bool, void>[] s_blocks =
        [
            // 1 row, head whole, tail whole
            &Block<One, Zero, No, No>, &Block<One, One, No, No>, &Block<One, Two, No, No>, &Block<One, Three, No, No>,
            &Block<One, Four, No, No>, &Block<One, Five, No, No>, &Block<One, Six, No, No>, &Block<One, Seven, No, No>,
            &Block<One, Eight, No, No>, &Block<One, Nine, No, No>, &Block<One, Ten, No, No>, &Block<One, Eleven, No, No>,
            &Block<One, Twelve, No, No>,
            // 2 rows, head whole, tail whole
            &Block<Two, Zero, No, No>, &Block<Two, One, No, No>, &Block<Two, Two, No, No>, &Block<Two, Three, No, No>,
            // 3 rows, head whole, tail whole
            &Block<Three, Zero, No, No>, &Block<Three, One, No, No>, &Block<Three, Two, No, No>,
            // 1 row, head whole, tail masked
            &Block<One, Zero, No, Yes>, &Block<One, One, No, Yes>, &Block<One, Two, No, Yes>, &Block<One, Three, No, Yes>,
            &Block<One, Four, No, Yes>, &Block<One, Five, No, Yes>, &Block<One, Six, No, Yes>, &Block<One, Seven, No, Yes>,
            &Block<One, Eight, No, Yes>, &Block<One, Nine, No, Yes>, &Block<One, Ten, No, Yes>, &Block<One, Eleven, No, Yes>,
            &Block<One, Twelve, No, Yes>,
            // 2 rows, head whole, tail masked
            &Block<Two, Zero, No, Yes>, &Block<Two, One, No, Yes>, &Block<Two, Two, No, Yes>, &Block<Two, Three, No, Yes>,
            // 3 rows, head whole, tail masked
            &Block<Three, Zero, No, Yes>, &Block<Three, One, No, Yes>, &Block<Three, Two, No, Yes>,
            // 1 row, head masked, tail whole
            &Block<One, Zero, Yes, No>, &Block<One, One, Yes, No>, &Block<One, Two, Yes, No>, &Block<One, Three, Yes, No>,
            &Block<One, Four, Yes, No>, &Block<One, Five, Yes, No>, &Block<One, Six, Yes, No>, &Block<One, Seven, Yes, No>,
            &Block<One, Eight, Yes, No>, &Block<One, Nine, Yes, No>, &Block<One, Ten, Yes, No>, &Block<One, Eleven, Yes, No>,
            &Block<One, Twelve, Yes, No>,
            // 2 rows, head masked, tail whole
            &Block<Two, Zero, Yes, No>, &Block<Two, One, Yes, No>, &Block<Two, Two, Yes, No>, &Block<Two, Three, Yes, No>,
            // 3 rows, head masked, tail whole
            &Block<Three, Zero, Yes, No>, &Block<Three, One, Yes, No>, &Block<Three, Two, Yes, No>,
            // 1 row, head masked, tail masked
            &Block<One, Zero, Yes, Yes>, &Block<One, One, Yes, Yes>, &Block<One, Two, Yes, Yes>, &Block<One, Three, Yes, Yes>,
            &Block<One, Four, Yes, Yes>, &Block<One, Five, Yes, Yes>, &Block<One, Six, Yes, Yes>, &Block<One, Seven, Yes, Yes>,
            &Block<One, Eight, Yes, Yes>, &Block<One, Nine, Yes, Yes>, &Block<One, Ten, Yes, Yes>, &Block<One, Eleven, Yes, Yes>,
            &Block<One, Twelve, Yes, Yes>,
            // 2 rows, head masked, tail masked
            &Block<Two, Zero, Yes, Yes>, &Block<Two, One, Yes, Yes>, &Block<Two, Two, Yes, Yes>, &Block<Two, Three, Yes, Yes>,
            // 3 rows, head masked, tail masked
            &Block<Three, Zero, Yes, Yes>, &Block<Three, One, Yes, Yes>, &Block<Three, Two, Yes, Yes>,
        ];

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Block<TRows, TFull, THead, TTail>(int k, float* a, nint lda, float* b, nint ldb, float* c, nint ldc, int headStart, int headEnd, int tailLanes, bool load)
            where TRows : struct, ICount
            where TFull : struct, ICount
            where THead : struct, IFlag
            where TTail : struct, IFlag
        {
            // Constants once the JIT specialises the method, as in Kernel512.Tile.
            nint tail = (TFull.Value + 1) * 8;
            var lane = Vector256<int>.Indices;
            var headMask = (Vector256.GreaterThanOrEqual(lane, Vector256.Create(headStart)) & Vector256.LessThan(lane, Vector256.Create(headEnd))).AsSingle();
            var tailMask = Vector256.LessThan(lane, Vector256.Create(tailLanes)).AsSingle();
            Vector256<float> h0 = default, c0_0 = default, c0_1 = default, c0_2 = default, c0_3 = default, c0_4 = default, c0_5 = default, c0_6 = default, c0_7 = default, c0_8 = default, c0_9 = default, c0_10 = default, c0_11 = default, t0 = default;
            Vector256<float> h1 = default, c1_0 = default, c1_1 = default, c1_2 = default, t1 = default;
            Vector256<float> h2 = default, c2_0 = default, c2_1 = default, t2 = default;
            float* c1 = c + ldc, c2 = c1 + ldc;
            if (load)
            {
                h0 = THead.Value ? Avx.MaskLoad(c, headMask) : Avx.LoadVector256(c);
                if (TFull.Value > 0) c0_0 = Avx.LoadVector256(c + 8);
                if (TFull.Value > 1) c0_1 = Avx.LoadVector256(c + 16);
                if (TFull.Value > 2) c0_2 = Avx.LoadVector256(c + 24);
                if (TFull.Value > 3) c0_3 = Avx.LoadVector256(c + 32);
                if (TFull.Value > 4) c0_4 = Avx.LoadVector256(c + 40);
                if (TFull.Value > 5) c0_5 = Avx.LoadVector256(c + 48);
                if (TFull.Value > 6) c0_6 = Avx.LoadVector256(c + 56);
                if (TFull.Value > 7) c0_7 = Avx.LoadVector256(c + 64);
                if (TFull.Value > 8) c0_8 = Avx.LoadVector256(c + 72);
                if (TFull.Value > 9) c0_9 = Avx.LoadVector256(c + 80);
                if (TFull.Value > 10) c0_10 = Avx.LoadVector256(c + 88);
                if (TFull.Value > 11) c0_11 = Avx.LoadVector256(c + 96);
                t0 = TTail.Value ? Avx.MaskLoad(c + tail, tailMask) : Avx.LoadVector256(c + tail);
                if (TRows.Value > 1)
                {
                    h1 = THead.Value ? Avx.MaskLoad(c1, headMask) : Avx.LoadVector256(c1);
                    if (TFull.Value > 0) c1_0 = Avx.LoadVector256(c1 + 8);
                    if (TFull.Value > 1) c1_1 = Avx.LoadVector256(c1 + 16);
                    if (TFull.Value > 2) c1_2 = Avx.LoadVector256(c1 + 24);
                    t1 = TTail.Value ? Avx.MaskLoad(c1 + tail, tailMask) : Avx.LoadVector256(c1 + tail);
                }
                if (TRows.Value > 2)
                {
                    h2 = THead.Value ? Avx.MaskLoad(c2, headMask) : Avx.LoadVector256(c2);
                    if (TFull.Value > 0) c2_0 = Avx.LoadVector256(c2 + 8);
                    if (TFull.Value > 1) c2_1 = Avx.LoadVector256(c2 + 16);
                    t2 = TTail.Value ? Avx.MaskLoad(c2 + tail, tailMask) : Avx.LoadVector256(c2 + tail);
                }
            }

            nint a1 = lda, a2 = 2 * lda;
            for (int q = 0; q < k; q++, a++, b += ldb)
            {
                var x0 = Avx.BroadcastScalarToVector256(a);
                var x1 = TRows.Value > 1 ? Avx.BroadcastScalarToVector256(a + a1) : default;
                var x2 = TRows.Value > 2 ? Avx.BroadcastScalarToVector256(a + a2) : default;
                var bh = THead.Value ? Avx.MaskLoad(b, headMask) : Avx.LoadVector256(b);
                h0 = Fma.MultiplyAdd(x0, bh, h0);
                if (TRows.Value > 1) h1 = Fma.MultiplyAdd(x1, bh, h1);
                if (TRows.Value > 2) h2 = Fma.MultiplyAdd(x2, bh, h2);
                if (TFull.Value > 0)
                {
                    var b0 = Avx.LoadVector256(b + 8);
                    c0_0 = Fma.MultiplyAdd(x0, b0, c0_0);
                    if (TRows.Value > 1) c1_0 = Fma.MultiplyAdd(x1, b0, c1_0);
                    if (TRows.Value > 2) c2_0 = Fma.MultiplyAdd(x2, b0, c2_0);
                }
                if (TFull.Value > 1)
                {
                    var b1 = Avx.LoadVector256(b + 16);
                    c0_1 = Fma.MultiplyAdd(x0, b1, c0_1);
                    if (TRows.Value > 1) c1_1 = Fma.MultiplyAdd(x1, b1, c1_1);
                    if (TRows.Value > 2) c2_1 = Fma.MultiplyAdd(x2, b1, c2_1);
                }
                if (TFull.Value > 2)
                {
                    var b2 = Avx.LoadVector256(b + 24);
                    c0_2 = Fma.MultiplyAdd(x0, b2, c0_2);
                    if (TRows.Value > 1) c1_2 = Fma.MultiplyAdd(x1, b2, c1_2);
                }
                if (TFull.Value > 3)
                {
                    var b3 = Avx.LoadVector256(b + 32);
                    c0_3 = Fma.MultiplyAdd(x0, b3, c0_3);
                }
                if (TFull.Value > 4)
                {
                    var b4 = Avx.LoadVector256(b + 40);
                    c0_4 = Fma.MultiplyAdd(x0, b4, c0_4);
                }
                if (TFull.Value > 5)
                {
                    var b5 = Avx.LoadVector256(b + 48);
                    c0_5 = Fma.MultiplyAdd(x0, b5, c0_5);
                }
                if (TFull.Value > 6)
                {
                    var b6 = Avx.LoadVector256(b + 56);
                    c0_6 = Fma.MultiplyAdd(x0, b6, c0_6);
                }
                if (TFull.Value > 7)
                {
                    var b7 = Avx.LoadVector256(b + 64);
                    c0_7 = Fma.MultiplyAdd(x0, b7, c0_7);
                }
                if (TFull.Value > 8)
                {
                    var b8 = Avx.LoadVector256(b + 72);
                    c0_8 = Fma.MultiplyAdd(x0, b8, c0_8);
                }
                if (TFull.Value > 9)
                {
                    var b9 = Avx.LoadVector256(b + 80);
                    c0_9 = Fma.MultiplyAdd(x0, b9, c0_9);
                }
                if (TFull.Value > 10)
                {
                    var b10 = Avx.LoadVector256(b + 88);
                    c0_10 = Fma.MultiplyAdd(x0, b10, c0_10);
                }
                if (TFull.Value > 11)
                {
                    var b11 = Avx.LoadVector256(b + 96);
                    c0_11 = Fma.MultiplyAdd(x0, b11, c0_11);
                }
                var bt = TTail.Value ? Avx.MaskLoad(b + tail, tailMask) : Avx.LoadVector256(b + tail);
                t0 = Fma.MultiplyAdd(x0, bt, t0);
                if (TRows.Value > 1) t1 = Fma.MultiplyAdd(x1, bt, t1);
                if (TRows.Value > 2) t2 = Fma.MultiplyAdd(x2, bt, t2);
            }

            if (THead.Value) Avx.MaskStore(c, headMask, h0); else Avx.Store(c, h0);
            if (TFull.Value > 0) Avx.Store(c + 8, c0_0);
            if (TFull.Value > 1) Avx.Store(c + 16, c0_1);
            if (TFull.Value > 2) Avx.Store(c + 24, c0_2);
            if (TFull.Value > 3) Avx.Store(c + 32, c0_3);
            if (TFull.Value > 4) Avx.Store(c + 40, c0_4);
            if (TFull.Value > 5) Avx.Store(c + 48, c0_5);
            if (TFull.Value > 6) Avx.Store(c + 56, c0_6);
            if (TFull.Value > 7) Avx.Store(c + 64, c0_7);
            if (TFull.Value > 8) Avx.Store(c + 72, c0_8);
            if (TFull.Value > 9) Avx.Store(c + 80, c0_9);
            if (TFull.Value > 10) Avx.Store(c + 88, c0_10);
            if (TFull.Value > 11) Avx.Store(c + 96, c0_11);
            if (TTail.Value) Avx.MaskStore(c + tail, tailMask, t0); else Avx.Store(c + tail, t0);
            if (TRows.Value > 1)
            {
                if (THead.Value) Avx.MaskStore(c1, headMask, h1); else Avx.Store(c1, h1);
                if (TFull.Value > 0) Avx.Store(c1 + 8, c1_0);
                if (TFull.Value > 1) Avx.Store(c1 + 16, c1_1);
                if (TFull.Value > 2) Avx.Store(c1 + 24, c1_2);
                if (TTail.Value) Avx.MaskStore(c1 + tail, tailMask, t1); else Avx.Store(c1 + tail, t1);
            }
            if (TRows.Value > 2)
            {
                if (THead.Value) Avx.MaskStore(c2, headMask, h2); else Avx.Store(c2, h2);
                if (TFull.Value > 0) Avx.Store(c2 + 8, c2_0);
                if (TFull.Value > 1) Avx.Store(c2 + 16, c2_1);
                if (TTail.Value) Avx.MaskStore(c2 + tail, tailMask, t2); else Avx.Store(c2 + tail, t2);
            }
        }
    }
}
