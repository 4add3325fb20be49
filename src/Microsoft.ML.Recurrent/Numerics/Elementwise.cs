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
    public static void Run<TOp>(TOp op, int length, int width) where TOp : struct, IElementwiseOp
    {
        int i = 0;
        if (width >= 512)
            i = Loop<TOp, V512>(op, length, i);
        if (width >= 256)
            i = Loop<TOp, V256>(op, length, i);
        if (width >= 128)
            i = Loop<TOp, V128>(op, length, i);
        Loop<TOp, V1>(op, length, i);
    }

    // The operator arrives by value: a local copy whose fields (the operand pointers) the JIT keeps in registers.
    // AggressiveOptimization: tier-0 code of these loops is tens of times slower, and tiering up can take longer
    // than a short run. NoInlining: inlined into a caller's own loop (the rows of a batch), the fused gate
    // bodies exceed what the register allocator tracks and spill a third of their vectors to the stack.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static int Loop<TOp, T>(TOp op, int length, int i) where TOp : struct, IElementwiseOp where T : unmanaged, IVec<T>
    {
        for (; i + T.Count <= length; i += T.Count)
            op.Invoke<T>(i);
        return i;
    }
}
