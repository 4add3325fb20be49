using System.Runtime.CompilerServices;
using Microsoft.ML.Recurrent.Numerics;

namespace Microsoft.ML.Recurrent.Training;

/// <summary>
/// A gradient-descent rule over the whole parameter buffer, element-wise through <see cref="Elementwise"/> (the same
/// operations at every vector width, so every width gives the same bits). Its state is a list of buffers shaped like
/// the parameters plus a step count, so checkpoints save and restore it exactly.
/// </summary>
internal abstract class Optimizer
{
    protected Optimizer(int size, int stateBuffers)
    {
        State = [.. Enumerable.Range(0, stateBuffers).Select(_ => new float[size])];
    }

    /// <summary>Moment buffers, each the size of the parameters.</summary>
    public float[][] State { get; }

    /// <summary>Updates done so far.</summary>
    public long Steps { get; set; }

    public static Optimizer Create(OptimizerKind kind, int size) => kind switch
    {
        OptimizerKind.Adam => new Adam(size),
        OptimizerKind.Adagrad => new Adagrad(size),
        OptimizerKind.RmsProp => new RmsProp(size),
        OptimizerKind.Sgd => new Sgd(size),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown optimizer."),
    };

    public void Step(Span<float> values, ReadOnlySpan<float> gradients, float learningRate)
    {
        Steps++;
        Update(values, gradients, learningRate);
    }

    protected abstract void Update(Span<float> values, ReadOnlySpan<float> gradients, float learningRate);

    private sealed class Sgd(int size) : Optimizer(size, 0)
    {
        protected override unsafe void Update(Span<float> x, ReadOnlySpan<float> g, float learningRate)
        {
            fixed (float* px = x, pg = g)
                Elementwise.Run(new SgdOp(px, pg, learningRate), x.Length, KernelSettings.VectorWidth);
        }
    }

    // x −= lr·g
    private readonly unsafe struct SgdOp(float* x, float* g, float lr) : IElementwiseOp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Invoke<T>(int i) where T : unmanaged, IVec<T> => T.Store(T.Load(g + i) * T.Create(-lr) + T.Load(x + i), x + i);
    }

    // m = β1·m + (1 − β1)·g; v = β2·v + (1 − β2)·g²; x −= lr/(1 − β1ᵗ) · m / (√v/√(1 − β2ᵗ) + ε)  (as PyTorch)
    private sealed class Adam(int size) : Optimizer(size, 2)
    {
        private const float Beta1 = 0.9f, Beta2 = 0.999f, Epsilon = 1e-8f;

        protected override unsafe void Update(Span<float> x, ReadOnlySpan<float> g, float learningRate)
        {
            float stepSize = learningRate / (1f - MathF.Pow(Beta1, Steps));
            float invRootBias2 = 1f / MathF.Sqrt(1f - MathF.Pow(Beta2, Steps));
            fixed (float* px = x, pg = g, pm = State[0], pv = State[1])
                Elementwise.Run(new AdamOp(px, pg, pm, pv, stepSize, invRootBias2), x.Length, KernelSettings.VectorWidth);
        }

        private readonly unsafe struct AdamOp(float* x, float* g, float* m, float* v, float stepSize, float invRootBias2) : IElementwiseOp
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public void Invoke<T>(int i) where T : unmanaged, IVec<T>
            {
                var gv = T.Load(g + i);
                var mv = T.Create(Beta1) * T.Load(m + i) + T.Create(1 - Beta1) * gv;
                var vv = T.Create(Beta2) * T.Load(v + i) + T.Create(1 - Beta2) * gv * gv;
                T.Store(mv, m + i);
                T.Store(vv, v + i);
                T.Store(T.Load(x + i) - T.Create(stepSize) * mv / (T.Sqrt(vv) * T.Create(invRootBias2) + T.Create(Epsilon)), x + i);
            }
        }
    }

    // mem += g²; x −= lr·g / √(mem + ε)  (as min-char-rnn)
    private sealed class Adagrad(int size) : Optimizer(size, 1)
    {
        private const float Epsilon = 1e-8f;

        protected override unsafe void Update(Span<float> x, ReadOnlySpan<float> g, float learningRate)
        {
            fixed (float* px = x, pg = g, pm = State[0])
                Elementwise.Run(new AdagradOp(px, pg, pm, learningRate), x.Length, KernelSettings.VectorWidth);
        }

        private readonly unsafe struct AdagradOp(float* x, float* g, float* mem, float lr) : IElementwiseOp
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public void Invoke<T>(int i) where T : unmanaged, IVec<T>
            {
                var gv = T.Load(g + i);
                var mv = T.Load(mem + i) + gv * gv;
                T.Store(mv, mem + i);
                T.Store(T.Load(x + i) - T.Create(lr) * gv / T.Sqrt(mv + T.Create(Epsilon)), x + i);
            }
        }
    }

    // ms = α·ms + (1 − α)·g²; x −= lr·g / (√ms + ε)  (as char-rnn, α 0.95)
    private sealed class RmsProp(int size) : Optimizer(size, 1)
    {
        private const float Alpha = 0.95f, Epsilon = 1e-8f;

        protected override unsafe void Update(Span<float> x, ReadOnlySpan<float> g, float learningRate)
        {
            fixed (float* px = x, pg = g, pm = State[0])
                Elementwise.Run(new RmsPropOp(px, pg, pm, learningRate), x.Length, KernelSettings.VectorWidth);
        }

        private readonly unsafe struct RmsPropOp(float* x, float* g, float* ms, float lr) : IElementwiseOp
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public void Invoke<T>(int i) where T : unmanaged, IVec<T>
            {
                var gv = T.Load(g + i);
                var mv = T.Create(Alpha) * T.Load(ms + i) + T.Create(1 - Alpha) * gv * gv;
                T.Store(mv, ms + i);
                T.Store(T.Load(x + i) - T.Create(lr) * gv / (T.Sqrt(mv) + T.Create(Epsilon)), x + i);
            }
        }
    }
}
