using System.Runtime.CompilerServices;

namespace Microsoft.ML.Recurrent.Numerics;

/// <summary>
/// The body of an element-wise kernel: a struct that holds its operands and computes elements
/// [i, i + T.Count) at any width. Written once against <see cref="IVec{TSelf}"/>, it runs at every width with
/// the same operations, so every width gives the same bits.
/// </summary>
internal interface IElementwiseOp
{
    /// <summary>Computes elements i … i + T.Count − 1. Implementations are AggressiveInlining so the loop keeps the operands in registers.</summary>
    void Invoke<T>(int i) where T : unmanaged, IVec<T>;
}

/// <summary>
/// The one driver of the element-wise kernels, walking a range as TensorPrimitives does: 512-bit vectors while
/// a whole one fits, then 256, then 128, then one lane at a time for the tail, starting from the widest that
/// <c>width</c> (a <see cref="KernelSettings.VectorWidth"/>) allows.
/// </summary>
internal static class Elementwise
{
    /// <summary>Applies op to elements [0, length) with vectors at most width bits wide.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run<TOp>(in TOp op, int length, int width) where TOp : struct, IElementwiseOp
    {
        // A width is entered only when a whole vector of it is left: the calls are most of the cost of a short
        // row (a batch row of a gate kernel is often a few vectors long).
        int i = 0;
        if (width >= 512 && length - i >= V512.Count)
            i = Loop<TOp, V512>(in op, length, i);
        if (width >= 256 && length - i >= V256.Count)
            i = Loop<TOp, V256>(in op, length, i);
        if (width >= 128 && length - i >= V128.Count)
            i = Loop<TOp, V128>(in op, length, i);
        if (i < length)
            Loop<TOp, V1>(in op, length, i);
    }

    // The operator arrives by reference and is copied into a local, whose fields (the operand pointers) the JIT
    // keeps in registers. Passed by value instead, it is copied to the stack in 16-byte pieces that the callee reads
    // back as 8-byte fields: a store-forwarding stall on every call, a fifth of a short row's time.
    // AggressiveOptimization: tier-0 code of these loops is tens of times slower, and tiering up can take longer
    // than a short run. NoInlining: one compiled loop per operator and width, the unit whose code was checked (the
    // fused gate bodies keep every vector in registers); a copy inlined into a caller's row loop once spilled a
    // third of the LSTM vectors to the stack.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static int Loop<TOp, T>(in TOp op, int length, int i) where TOp : struct, IElementwiseOp where T : unmanaged, IVec<T>
    {
        var local = op;
        for (; i + T.Count <= length; i += T.Count)
            local.Invoke<T>(i);
        return i;
    }
}
