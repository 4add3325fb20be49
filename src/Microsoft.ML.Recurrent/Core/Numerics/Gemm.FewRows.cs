using System.Runtime.CompilerServices;

namespace Microsoft.ML.Recurrent.Numerics;

// The few-row kernels: MatMul with 1 … FewRowsMax rows of A, i.e. matrix–vector products such as one sampling
// step of a recurrent network. These are bound by reading B, so B is streamed once, row after row: for each q,
// C[r, j] = fma(A[r, q], B[q, j], C[r, j]) for a block of columns j held in vector registers (one lane per column, one
// accumulator vector per row of C and vector of columns), the loaded vector of B reused for every row. A lane computes the
// same FMA chain over q = 0 … k−1 as the blocked kernels, so the bits are the same on every path. The column blocks are as
// wide as the registers allow and of balanced widths; the edge vectors of a block are masked, so any n runs without scratch
// copies or scalar tails, and where n is a multiple of the vector width the blocks start at the alignment of B's rows so
// that its other loads are aligned (a load across a cache line costs two).
//
// The blocks themselves (FewRows512, FewRows256: one generic method unrolled over rows and vectors, and its table of
// instantiations) are generated into Gemm.FewRows.Generated.cs by tools/FewRowsGenerator, which holds their one choice
// made by hand, the register budgets (IFewRowsKernel.MaxVecs); change them or the blocks there and run
// `dotnet run --project tools/FewRowsGenerator`. A test fails when the checked-in file is not what the generator writes.
internal static unsafe partial class Gemm
{
    /// <summary>
    /// Up to this many rows MatMul runs the few-row kernels instead of the blocked ones (three with 256-bit vectors, whose
    /// 16 registers cannot hold four rows of accumulators). At the cutoff the two are about even where the blocked kernels
    /// need no ragged edge; below it the few-row kernels are faster. The generator's MaxVecs tables have this many rows.
    /// </summary>
    private const int FewRowsMax = 4, FewRowsMax256 = 3;

    /// <summary>
    /// Multiply-adds from which a few-row product is split with the partner thread (a hand-off costs a few hundred
    /// nanoseconds; 1×128×512 takes ≈ 2.4 µs alone).
    /// </summary>
    private const long PartnerThreshold = 1L << 15;

    /// <summary>C[m,n] (+)= A[m,k] · B[k,n] for 1 ≤ m ≤ FewRowsMax, k ≥ 1, n ≥ 1 at the given vector width.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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

    /// <summary>A yes/no fixed per generic instantiation.</summary>
    private interface IFlag
    {
        static abstract bool Value { get; }
    }

    private struct Yes : IFlag { public static bool Value => true; }
    private struct No : IFlag { public static bool Value => false; }
}
