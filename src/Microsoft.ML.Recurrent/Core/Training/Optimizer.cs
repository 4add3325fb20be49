using System.Numerics;

namespace Microsoft.ML.Recurrent.Training;

/// <summary>
/// A gradient-descent rule over the whole parameter buffer. Its state is a list of buffers shaped like
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
        protected override void Update(Span<float> values, ReadOnlySpan<float> gradients, float learningRate)
            => System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(gradients, -learningRate, values, values);
    }

    // m = β1·m + (1 − β1)·g; v = β2·v + (1 − β2)·g²; x −= lr/(1 − β1ᵗ) · m / (√v/√(1 − β2ᵗ) + ε)  (as PyTorch)
    private sealed class Adam(int size) : Optimizer(size, 2)
    {
        private const float Beta1 = 0.9f, Beta2 = 0.999f, Epsilon = 1e-8f;

        protected override void Update(Span<float> x, ReadOnlySpan<float> g, float learningRate)
        {
            Span<float> m = State[0], v = State[1];
            float stepSize = learningRate / (1f - MathF.Pow(Beta1, Steps));
            float invRootBias2 = 1f / MathF.Sqrt(1f - MathF.Pow(Beta2, Steps));
            int i = 0;
            if (Vector.IsHardwareAccelerated)
            {
                var b1 = new Vector<float>(Beta1); var c1 = new Vector<float>(1 - Beta1);
                var b2 = new Vector<float>(Beta2); var c2 = new Vector<float>(1 - Beta2);
                var eps = new Vector<float>(Epsilon); var ib = new Vector<float>(invRootBias2); var lr = new Vector<float>(stepSize);
                for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
                {
                    var gv = new Vector<float>(g[i..]);
                    var mv = b1 * new Vector<float>(m[i..]) + c1 * gv;
                    var vv = b2 * new Vector<float>(v[i..]) + c2 * gv * gv;
                    mv.CopyTo(m[i..]);
                    vv.CopyTo(v[i..]);
                    (new Vector<float>(x[i..]) - lr * mv / (Vector.SquareRoot(vv) * ib + eps)).CopyTo(x[i..]);
                }
            }
            for (; i < x.Length; i++)
            {
                m[i] = Beta1 * m[i] + (1 - Beta1) * g[i];
                v[i] = Beta2 * v[i] + (1 - Beta2) * g[i] * g[i];
                x[i] -= stepSize * m[i] / (MathF.Sqrt(v[i]) * invRootBias2 + Epsilon);
            }
        }
    }

    // mem += g²; x −= lr·g / √(mem + ε)  (as min-char-rnn)
    private sealed class Adagrad(int size) : Optimizer(size, 1)
    {
        private const float Epsilon = 1e-8f;

        protected override void Update(Span<float> x, ReadOnlySpan<float> g, float learningRate)
        {
            Span<float> mem = State[0];
            int i = 0;
            if (Vector.IsHardwareAccelerated)
            {
                var lr = new Vector<float>(learningRate); var eps = new Vector<float>(Epsilon);
                for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
                {
                    var gv = new Vector<float>(g[i..]);
                    var mv = new Vector<float>(mem[i..]) + gv * gv;
                    mv.CopyTo(mem[i..]);
                    (new Vector<float>(x[i..]) - lr * gv / Vector.SquareRoot(mv + eps)).CopyTo(x[i..]);
                }
            }
            for (; i < x.Length; i++)
            {
                mem[i] += g[i] * g[i];
                x[i] -= learningRate * g[i] / MathF.Sqrt(mem[i] + Epsilon);
            }
        }
    }

    // ms = α·ms + (1 − α)·g²; x −= lr·g / (√ms + ε)  (as char-rnn, α 0.95)
    private sealed class RmsProp(int size) : Optimizer(size, 1)
    {
        private const float Alpha = 0.95f, Epsilon = 1e-8f;

        protected override void Update(Span<float> x, ReadOnlySpan<float> g, float learningRate)
        {
            Span<float> ms = State[0];
            int i = 0;
            if (Vector.IsHardwareAccelerated)
            {
                var lr = new Vector<float>(learningRate); var eps = new Vector<float>(Epsilon);
                var a = new Vector<float>(Alpha); var c = new Vector<float>(1 - Alpha);
                for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
                {
                    var gv = new Vector<float>(g[i..]);
                    var mv = a * new Vector<float>(ms[i..]) + c * gv * gv;
                    mv.CopyTo(ms[i..]);
                    (new Vector<float>(x[i..]) - lr * gv / (Vector.SquareRoot(mv) + eps)).CopyTo(x[i..]);
                }
            }
            for (; i < x.Length; i++)
            {
                ms[i] = Alpha * ms[i] + (1 - Alpha) * g[i] * g[i];
                x[i] -= learningRate * g[i] / (MathF.Sqrt(ms[i]) + Epsilon);
            }
        }
    }
}
