using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using X86 = System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.Recurrent.Numerics;

/// <summary>
/// A vector of floats that element-wise kernels are written against once and specialised by the JIT for each
/// width: <see cref="V512"/>, <see cref="V256"/>, <see cref="V128"/> and the one-lane <see cref="V1"/>. Every operation rounds the
/// same way at every width (fused multiply-add where named, nothing fused implicitly), so a kernel gives
/// identical bits whichever width handles an element.
/// Every member of the widths is AggressiveInlining: the JIT raises a method's inlining budget only along chains
/// of forced inlines (driver → kernel body → σ → e^x → these), and without that the fused gate bodies run out of
/// budget and call the one-line operators instead of inlining them.
/// </summary>
internal unsafe interface IVec<TSelf> where TSelf : unmanaged, IVec<TSelf>
{
    /// <summary>Lanes per vector.</summary>
    static abstract int Count { get; }

    static abstract TSelf Load(float* p);

    static abstract void Store(TSelf v, float* p);

    static abstract TSelf Create(float x);

    static abstract TSelf operator +(TSelf a, TSelf b);

    static abstract TSelf operator -(TSelf a, TSelf b);

    static abstract TSelf operator *(TSelf a, TSelf b);

    static abstract TSelf operator /(TSelf a, TSelf b);

    /// <summary>a·b + c with one rounding.</summary>
    static abstract TSelf Fma(TSelf a, TSelf b, TSelf c);

    /// <summary>IEEE 754-2019 minimum: NaN propagates, −0 is below +0.</summary>
    static abstract TSelf Min(TSelf a, TSelf b);

    /// <summary>IEEE 754-2019 maximum: NaN propagates, +0 is above −0.</summary>
    static abstract TSelf Max(TSelf a, TSelf b);

    static abstract TSelf Abs(TSelf a);

    /// <summary>√a, correctly rounded in every lane (IEEE), so every width gives the same bits.</summary>
    static abstract TSelf Sqrt(TSelf a);

    /// <summary>|magnitude| with the sign of sign.</summary>
    static abstract TSelf CopySign(TSelf magnitude, TSelf sign);

    /// <summary>Per lane: x &lt; limit ? then : otherwise.</summary>
    static abstract TSelf IfLess(TSelf x, TSelf limit, TSelf then, TSelf otherwise);

    /// <summary>Per lane: where x &lt; limit, p[lane] = value; the other ints at p keep theirs.</summary>
    static abstract void StoreWhereLess(TSelf x, TSelf limit, int* p, int value);

    /// <summary>
    /// 2^n where t = n + 1.5·2²³ holds the integer n ∈ [−126, 127] in its low mantissa bits: the bits of t
    /// shifted left by 23 leave n in the exponent field.
    /// </summary>
    static abstract TSelf Pow2FromShifted(TSelf t);
}

/// <summary>Sixteen lanes (AVX-512).</summary>
internal readonly unsafe struct V512(Vector512<float> v) : IVec<V512>
{
    private readonly Vector512<float> _v = v;

    public static int Count => 16;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 Load(float* p) => new(Vector512.Load(p));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(V512 v, float* p) => v._v.Store(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 Create(float x) => new(Vector512.Create(x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 operator +(V512 a, V512 b) => new(a._v + b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 operator -(V512 a, V512 b) => new(a._v - b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 operator *(V512 a, V512 b) => new(a._v * b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 operator /(V512 a, V512 b) => new(a._v / b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 Fma(V512 a, V512 b, V512 c) => new(Vector512.FusedMultiplyAdd(a._v, b._v, c._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 Min(V512 a, V512 b) => new(Vector512.Min(a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 Max(V512 a, V512 b) => new(Vector512.Max(a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 Abs(V512 a) => new(Vector512.Abs(a._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 Sqrt(V512 a) => new(Vector512.Sqrt(a._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 CopySign(V512 magnitude, V512 sign) => new(Vector512.CopySign(magnitude._v, sign._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 IfLess(V512 x, V512 limit, V512 then, V512 otherwise) =>
        new(Vector512.ConditionalSelect(Vector512.LessThan(x._v, limit._v), then._v, otherwise._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreWhereLess(V512 x, V512 limit, int* p, int value) =>
        Vector512.ConditionalSelect(Vector512.LessThan(x._v, limit._v).AsInt32(), Vector512.Create(value), Vector512.Load(p)).Store(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 Pow2FromShifted(V512 t) =>
        new((Vector512.ShiftLeft(t._v.AsInt32(), 23) + Vector512.Create(127 << 23)).AsSingle());

}

/// <summary>Eight lanes (AVX2 + FMA).</summary>
internal readonly unsafe struct V256(Vector256<float> v) : IVec<V256>
{
    private readonly Vector256<float> _v = v;

    public static int Count => 8;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 Load(float* p) => new(Vector256.Load(p));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(V256 v, float* p) => v._v.Store(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 Create(float x) => new(Vector256.Create(x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 operator +(V256 a, V256 b) => new(a._v + b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 operator -(V256 a, V256 b) => new(a._v - b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 operator *(V256 a, V256 b) => new(a._v * b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 operator /(V256 a, V256 b) => new(a._v / b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 Fma(V256 a, V256 b, V256 c) => new(Vector256.FusedMultiplyAdd(a._v, b._v, c._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 Min(V256 a, V256 b) => new(Vector256.Min(a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 Max(V256 a, V256 b) => new(Vector256.Max(a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 Abs(V256 a) => new(Vector256.Abs(a._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 Sqrt(V256 a) => new(Vector256.Sqrt(a._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 CopySign(V256 magnitude, V256 sign) => new(Vector256.CopySign(magnitude._v, sign._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 IfLess(V256 x, V256 limit, V256 then, V256 otherwise) =>
        new(Vector256.ConditionalSelect(Vector256.LessThan(x._v, limit._v), then._v, otherwise._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreWhereLess(V256 x, V256 limit, int* p, int value) =>
        Vector256.ConditionalSelect(Vector256.LessThan(x._v, limit._v).AsInt32(), Vector256.Create(value), Vector256.Load(p)).Store(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 Pow2FromShifted(V256 t) =>
        new((Vector256.ShiftLeft(t._v.AsInt32(), 23) + Vector256.Create(127 << 23)).AsSingle());

}

/// <summary>Four lanes (Arm64 AdvSimd, x64 SSE; fused multiply-add in hardware where the CPU has it).</summary>
internal readonly unsafe struct V128(Vector128<float> v) : IVec<V128>
{
    private readonly Vector128<float> _v = v;

    public static int Count => 4;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 Load(float* p) => new(Vector128.Load(p));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(V128 v, float* p) => v._v.Store(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 Create(float x) => new(Vector128.Create(x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 operator +(V128 a, V128 b) => new(a._v + b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 operator -(V128 a, V128 b) => new(a._v - b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 operator *(V128 a, V128 b) => new(a._v * b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 operator /(V128 a, V128 b) => new(a._v / b._v);

    // Arm64 and x64 with FMA fuse in hardware. On x64 without it (SSE only) the runtime's software fallback for
    // the vector costs several times four scalar fused multiply-adds, so the lanes go one by one.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 Fma(V128 a, V128 b, V128 c) =>
        X86.Fma.IsSupported || AdvSimd.IsSupported
            ? new(Vector128.FusedMultiplyAdd(a._v, b._v, c._v))
            : new(Vector128.Create(
                MathF.FusedMultiplyAdd(a._v.GetElement(0), b._v.GetElement(0), c._v.GetElement(0)),
                MathF.FusedMultiplyAdd(a._v.GetElement(1), b._v.GetElement(1), c._v.GetElement(1)),
                MathF.FusedMultiplyAdd(a._v.GetElement(2), b._v.GetElement(2), c._v.GetElement(2)),
                MathF.FusedMultiplyAdd(a._v.GetElement(3), b._v.GetElement(3), c._v.GetElement(3))));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 Min(V128 a, V128 b) => new(Vector128.Min(a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 Max(V128 a, V128 b) => new(Vector128.Max(a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 Abs(V128 a) => new(Vector128.Abs(a._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 Sqrt(V128 a) => new(Vector128.Sqrt(a._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 CopySign(V128 magnitude, V128 sign) => new(Vector128.CopySign(magnitude._v, sign._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 IfLess(V128 x, V128 limit, V128 then, V128 otherwise) =>
        new(Vector128.ConditionalSelect(Vector128.LessThan(x._v, limit._v), then._v, otherwise._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreWhereLess(V128 x, V128 limit, int* p, int value) =>
        Vector128.ConditionalSelect(Vector128.LessThan(x._v, limit._v).AsInt32(), Vector128.Create(value), Vector128.Load(p)).Store(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 Pow2FromShifted(V128 t) =>
        new((Vector128.ShiftLeft(t._v.AsInt32(), 23) + Vector128.Create(127 << 23)).AsSingle());

}

/// <summary>One lane: the scalar path, and the tail of every vector loop.</summary>
internal readonly unsafe struct V1(float v) : IVec<V1>
{
    private readonly float _v = v;

    public static int Count => 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V1 Load(float* p) => new(*p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(V1 v, float* p) => *p = v._v;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V1 Create(float x) => new(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V1 operator +(V1 a, V1 b) => new(a._v + b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V1 operator -(V1 a, V1 b) => new(a._v - b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V1 operator *(V1 a, V1 b) => new(a._v * b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V1 operator /(V1 a, V1 b) => new(a._v / b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V1 Fma(V1 a, V1 b, V1 c) => new(MathF.FusedMultiplyAdd(a._v, b._v, c._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V1 Min(V1 a, V1 b) => new(MathF.Min(a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V1 Max(V1 a, V1 b) => new(MathF.Max(a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V1 Abs(V1 a) => new(MathF.Abs(a._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V1 Sqrt(V1 a) => new(MathF.Sqrt(a._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V1 CopySign(V1 magnitude, V1 sign) => new(MathF.CopySign(magnitude._v, sign._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V1 IfLess(V1 x, V1 limit, V1 then, V1 otherwise) => x._v < limit._v ? then : otherwise;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreWhereLess(V1 x, V1 limit, int* p, int value)
    {
        if (x._v < limit._v)
            *p = value;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V1 Pow2FromShifted(V1 t) =>
        new(BitConverter.Int32BitsToSingle((BitConverter.SingleToInt32Bits(t._v) << 23) + (127 << 23)));
}

/// <summary>Transcendental functions on <see cref="IVec{TSelf}"/>, identical in every lane width.</summary>
internal static class SimdMath
{
    private const float Log2E = 1.44269504088896341f;
    private const float Ln2Hi = 0.693359375f;
    private const float Ln2Lo = -2.12194440e-4f;
    private const float Shifter = 12582912f; // 1.5 · 2²³

    /// <summary>
    /// e^x with a relative error below 1.2e-7 (2 ulp) for x ∈ [−87.3, 88]; 0 below −87.3 and e^88 above 88.
    /// (Cephes expf: x = n·ln2 + r, |r| ≤ ln2/2, degree-6 polynomial for e^r.)
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Exp<T>(T x) where T : unmanaged, IVec<T>
    {
        var xc = T.Min(T.Max(x, T.Create(-87.3f)), T.Create(88f));
        var t = T.Fma(xc, T.Create(Log2E), T.Create(Shifter));
        var n = t - T.Create(Shifter);
        var r = T.Fma(n, T.Create(-Ln2Hi), xc);
        r = T.Fma(n, T.Create(-Ln2Lo), r);
        var p = T.Fma(T.Create(1.9875691500e-4f), r, T.Create(1.3981999507e-3f));
        p = T.Fma(p, r, T.Create(8.3334519073e-3f));
        p = T.Fma(p, r, T.Create(4.1665795894e-2f));
        p = T.Fma(p, r, T.Create(1.6666665459e-1f));
        p = T.Fma(p, r, T.Create(5.0000001201e-1f));
        var e = T.Fma(p, r * r, r + T.Create(1f));
        return T.IfLess(x, T.Create(-87.3f), T.Create(0f), e * T.Pow2FromShifted(t));
    }

    /// <summary>
    /// 1 / (1 + e^−x), computed from e^−|x| so the exponential never overflows; relative error below 2.2e-7.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Sigmoid<T>(T x) where T : unmanaged, IVec<T>
    {
        var e = Exp(T.Create(0f) - T.Abs(x));
        var s = T.Create(1f) / (T.Create(1f) + e);
        return T.IfLess(x, T.Create(0f), e * s, s);
    }

    /// <summary>
    /// tanh x: an odd polynomial below |x| = 0.625 (where 1 − 2/(e^2x + 1) would cancel), otherwise
    /// (1 − e^−2|x|) / (1 + e^−2|x|) with the sign of x. Relative error below 1.5e-7 (Cephes tanhf).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Tanh<T>(T x) where T : unmanaged, IVec<T>
    {
        var ax = T.Abs(x);
        var e = Exp(T.Create(-2f) * ax);
        var large = (T.Create(1f) - e) / (T.Create(1f) + e);
        var z = x * x;
        var p = T.Fma(T.Create(-5.70498872745e-3f), z, T.Create(2.06390887954e-2f));
        p = T.Fma(p, z, T.Create(-5.37397155531e-2f));
        p = T.Fma(p, z, T.Create(1.33314422036e-1f));
        p = T.Fma(p, z, T.Create(-3.33332819422e-1f));
        var small = T.Fma(p * z, x, x);
        return T.IfLess(ax, T.Create(0.625f), small, T.CopySign(large, x));
    }
}
