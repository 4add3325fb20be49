using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Numerics;

namespace Microsoft.ML.Recurrent.Tagging;

/// <summary>
/// A linear-chain CRF output layer over per-step emission scores (a tagger's logits). A label path y₀…y_{n−1} of a
/// sequence scores start[y₀] + Σ_t emissions_t[y_t] + Σ_{t≥1} transitions[y_{t−1}, y_t] + end[y_{n−1}], and its
/// probability is exp(score − log Z) with Z summed over all Lⁿ paths.
/// Batches are time-major like the rest of the stack: emissions [T·B, L] with row t·B + b, and sequence b has
/// lengths[b] ∈ [1, T] valid steps; rows past a sequence's length (padding) are never read and get zero gradient.
/// </summary>
/// <remarks>
/// The forward and backward recursions run in log space, each step's scores shifted by their maximum, so emissions of
/// any magnitude neither overflow nor lose the best path; the shifts are summed in double into log Z. A log-sum-exp
/// over the previous label, log Σ exp(α(from) + transitions[from, to]), is computed as max transition +
/// log (exp(α − max α) · exp(transitions − max transition)): one matrix–vector product per step instead of L²
/// exponentials, and exact as long as the transitions span at most <see cref="ProductSpread"/> (every column then keeps
/// a term of at least e^−60, far above float's underflow). Transitions spread wider (hard constraints such as a
/// forbidden −10⁴ transition) take the per-element log-sum-exp, each shifted by its own maximum, instead.
/// The work buffers are the layer's own (grown to the longest sequence seen, never per call), so one instance serves
/// one thread, like a network replica.
/// </remarks>
internal sealed class LinearChainCrf
{
    /// <summary>The widest spread of transition scores (max − min) the matrix–vector recursion is used for.</summary>
    internal const float ProductSpread = 60f;

    private float[] _alpha = [], _beta = [], _shift = [];
    private int[] _backpointers = [];
    private readonly float[] _transposed, _expTransitions, _expTransposed, _pairwise, _scratch, _row, _delta, _next;
    private bool _elementwise; // this call's transitions spread wider than ProductSpread
    private float _maxTransition;

    /// <summary>Declares "crf.transitions" [L, L] (row = from, column = to), "crf.start" [1, L] and "crf.end" [1, L].</summary>
    public LinearChainCrf(ParameterStore store, int labels)
    {
        if (labels <= 0) throw new ArgumentOutOfRangeException(nameof(labels), labels, "A CRF needs at least one label.");
        Labels = labels;
        Transitions = store.Declare("crf.transitions", labels, labels);
        Start = store.Declare("crf.start", 1, labels);
        End = store.Declare("crf.end", 1, labels);
        _transposed = new float[labels * labels];
        _expTransitions = new float[labels * labels];
        _expTransposed = new float[labels * labels];
        _pairwise = new float[labels * labels];
        _scratch = new float[labels];
        _row = new float[labels];
        _delta = new float[labels];
        _next = new float[labels];
    }

    /// <summary>The number of labels L.</summary>
    public int Labels { get; }

    /// <summary>transitions[from, to]: the score of label <c>to</c> following label <c>from</c>, [L, L].</summary>
    public Parameter Transitions { get; }

    /// <summary>The score of a path starting with each label, [1, L].</summary>
    public Parameter Start { get; }

    /// <summary>The score of a path ending with each label, [1, L].</summary>
    public Parameter End { get; }

    // emissions [T·B, L], gold labels [T·B] -> Σ_b NLL_b; dEmissions [T·B, L] = scale · (marginals − onehot(gold)),
    // d(transitions, start, end) += scale · dNLL
    /// <summary>
    /// The summed negative log-likelihood Σ_b (log Z_b − score(gold path_b)) of the batch, with its gradient:
    /// <paramref name="dEmissions"/> = <paramref name="scale"/> · (marginals − onehot(gold)) on valid rows and zero on
    /// padding rows, and <paramref name="scale"/> · dNLL/d(transitions, start, end) added to the parameters' gradients.
    /// Spans may be longer than [T·B, L] (a workspace sized for a longer batch); only the prefix is used. Labels of
    /// padding rows are ignored.
    /// </summary>
    /// <exception cref="ArgumentException">A buffer is too small, a length is outside [1, steps] or a gold label outside [0, L).</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double ForwardBackward(ReadOnlySpan<float> emissions, ReadOnlySpan<int> labels, ReadOnlySpan<int> lengths, int steps, int batch,
        Span<float> dEmissions, float scale)
    {
        Validate(emissions, labels, lengths, steps, batch);
        int l = Labels;
        if (dEmissions.Length < (long)steps * batch * l)
            throw new ArgumentException($"dEmissions holds {dEmissions.Length} floats; [{steps}·{batch}, {l}] needs {(long)steps * batch * l}.", nameof(dEmissions));
        dEmissions[..(steps * batch * l)].Clear();
        Prepare();
        _pairwise.AsSpan().Clear();
        double loss = 0;
        for (int b = 0; b < batch; b++)
        {
            loss += Forward(emissions, labels, lengths[b], b, batch);
            Backward(emissions, labels, lengths[b], b, batch, dEmissions, scale);
        }
        if (!_elementwise) // the pairwise marginals were summed without their exp(transition − max) factor
            TensorPrimitives.MultiplyAdd(_pairwise, _expTransitions, Transitions.Gradient, Transitions.Gradient);
        return loss;
    }

    /// <summary>The summed negative log-likelihood of the batch, as <see cref="ForwardBackward"/> returns it, without gradients.</summary>
    /// <exception cref="ArgumentException">As for <see cref="ForwardBackward"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double Loss(ReadOnlySpan<float> emissions, ReadOnlySpan<int> labels, ReadOnlySpan<int> lengths, int steps, int batch)
    {
        Validate(emissions, labels, lengths, steps, batch);
        Prepare();
        double loss = 0;
        for (int b = 0; b < batch; b++) loss += Forward(emissions, labels, lengths[b], b, batch);
        return loss;
    }

    // emissions [T·B, L] -> best [T·B] (−1 on padding rows)
    /// <summary>
    /// The highest-scoring label path of each sequence into <paramref name="best"/> (time-major, row t·B + b); rows past
    /// a sequence's length are set to −1. Every maximisation (over the previous label at each step, and over the last
    /// label) takes the lowest label index among equal scores — the first maximum, as ONNX ArgMax does, so that
    /// <see cref="ViterbiGraph"/> decodes the same path. Scores are summed in float in the graph's order
    /// ((δ + transitions) + emissions).
    /// </summary>
    /// <exception cref="ArgumentException">A buffer is too small or a length is outside [1, steps].</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Viterbi(ReadOnlySpan<float> emissions, ReadOnlySpan<int> lengths, int steps, int batch, Span<int> best)
    {
        CheckShape(emissions, lengths, steps, batch);
        if (best.Length < (long)steps * batch)
            throw new ArgumentException($"best holds {best.Length} labels; [{steps}·{batch}] needs {(long)steps * batch}.", nameof(best));
        int l = Labels;
        Grow(steps);
        MatrixTranspose.Transpose(Transitions.Value, _transposed, l, l);
        ReadOnlySpan<float> start = Start.Value, end = End.Value;
        for (int b = 0; b < batch; b++)
        {
            int n = lengths[b];
            TensorPrimitives.Add(start, emissions.Slice(b * l, l), _delta);
            for (int t = 1; t < n; t++)
            {
                var e = emissions.Slice((t * batch + b) * l, l);
                var pointers = _backpointers.AsSpan(t * l, l);
                for (int y = 0; y < l; y++)
                {
                    TensorPrimitives.Add(_delta, _transposed.AsSpan(y * l, l), _scratch); // δ(from) + transitions[from, y]
                    int from = FirstMax(_scratch);
                    pointers[y] = from;
                    _next[y] = _scratch[from] + e[y];
                }
                _next.CopyTo(_delta, 0);
            }
            TensorPrimitives.Add(_delta, end, _scratch);
            int label = FirstMax(_scratch);
            for (int t = n - 1; t >= 0; t--)
            {
                best[t * batch + b] = label;
                if (t > 0) label = _backpointers[t * l + label];
            }
            for (int t = n; t < steps; t++) best[t * batch + b] = -1;
        }
    }

    // One sequence's forward recursion into _alpha [n, L] (each row shifted by its maximum, kept in _shift[t]);
    // returns log Z − score(gold).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double Forward(ReadOnlySpan<float> emissions, ReadOnlySpan<int> labels, int n, int b, int batch)
    {
        int l = Labels;
        ReadOnlySpan<float> start = Start.Value, end = End.Value, transitions = Transitions.Value;
        double logZ = 0, gold = 0;
        for (int t = 0; t < n; t++)
        {
            var e = emissions.Slice((t * batch + b) * l, l);
            var alpha = _alpha.AsSpan(t * l, l);
            if (t == 0)
                TensorPrimitives.Add(start, e, alpha);
            else if (_elementwise)
            {
                ReadOnlySpan<float> previous = _alpha.AsSpan((t - 1) * l, l);
                for (int y = 0; y < l; y++)
                {
                    TensorPrimitives.Add(previous, _transposed.AsSpan(y * l, l), _scratch); // α(from) + transitions[from, y]
                    alpha[y] = e[y] + LogSumExp(_scratch);
                }
            }
            else
            {
                TensorPrimitives.Exp(_alpha.AsSpan((t - 1) * l, l), _row); // exp(α − max α): its largest entry is 1
                Gemm.MatMul(_row, _expTransitions, alpha, 1, l, l, accumulate: false); // Σ_from exp(α(from) + transitions[from, to] − max)
                TensorPrimitives.Log(alpha, alpha);
                TensorPrimitives.Add(alpha, e, alpha);
                TensorPrimitives.Add(alpha, _maxTransition, alpha);
            }
            float shift = TensorPrimitives.Max(alpha);
            TensorPrimitives.Subtract(alpha, shift, alpha);
            _shift[t] = shift;
            logZ += shift;

            int label = labels[t * batch + b];
            gold += e[label];
            gold += t == 0 ? start[label] : transitions[labels[(t - 1) * batch + b] * l + label];
        }
        TensorPrimitives.Add(_alpha.AsSpan((n - 1) * l, l), end, _scratch);
        logZ += LogSumExp(_scratch);
        gold += end[labels[(n - 1) * batch + b]];
        return logZ - gold;
    }

    // One sequence's backward recursion into _beta [n, L] (rows shifted by their maximum), then the gradients from the
    // marginals softmax(α_t + β_t) and the pairwise marginals exp(α_{t−1}(from) + transitions[from, to] + e_t(to) + β_t(to) − log Z),
    // whose normaliser is shift_t + log Σ exp(α_t + β_t) in the shifted quantities. Needs Forward's _alpha and _shift.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Backward(ReadOnlySpan<float> emissions, ReadOnlySpan<int> labels, int n, int b, int batch, Span<float> dEmissions, float scale)
    {
        int l = Labels;
        ReadOnlySpan<float> transitions = Transitions.Value;
        End.Value.CopyTo(_beta.AsSpan((n - 1) * l, l));
        for (int t = n - 2; t >= 0; t--)
        {
            TensorPrimitives.Add(emissions.Slice(((t + 1) * batch + b) * l, l), _beta.AsSpan((t + 1) * l, l), _row); // e_{t+1} + β_{t+1}
            var beta = _beta.AsSpan(t * l, l);
            if (_elementwise)
                for (int y = 0; y < l; y++)
                {
                    TensorPrimitives.Add(transitions.Slice(y * l, l), _row, _scratch); // transitions[y, to] + e_{t+1}(to) + β_{t+1}(to)
                    beta[y] = LogSumExp(_scratch);
                }
            else
            {
                ShiftedExp(_row); // the dropped constants (this maximum, the maximum transition) vanish in the shift below
                Gemm.MatMul(_row, _expTransposed, beta, 1, l, l, accumulate: false); // Σ_to exp(transitions[y, to] − max) · _row(to)
                TensorPrimitives.Log(beta, beta);
            }
            TensorPrimitives.Subtract(beta, TensorPrimitives.Max(beta), beta);
        }

        Span<float> dTransitions = Transitions.Gradient, dStart = Start.Gradient, dEnd = End.Gradient;
        for (int t = 0; t < n; t++)
        {
            int row = t * batch + b, label = labels[row];
            var marginal = dEmissions.Slice(row * l, l);
            TensorPrimitives.Add(_alpha.AsSpan(t * l, l), _beta.AsSpan(t * l, l), marginal);
            float logNormaliser = LogSumExp(marginal); // leaves exp(x − max) in marginal
            TensorPrimitives.Multiply(marginal, scale / TensorPrimitives.Sum(marginal), marginal);
            if (t == 0) AddGradient(dStart, marginal, label, scale);
            if (t == n - 1) AddGradient(dEnd, marginal, label, scale);
            marginal[label] -= scale;
            if (t == 0) continue;

            TensorPrimitives.Add(emissions.Slice(row * l, l), _beta.AsSpan(t * l, l), _row); // e_t + β_t
            ReadOnlySpan<float> previous = _alpha.AsSpan((t - 1) * l, l);
            float offset = _shift[t] + logNormaliser;
            if (_elementwise)
                for (int from = 0; from < l; from++)
                {
                    TensorPrimitives.Add(transitions.Slice(from * l, l), _row, _scratch);
                    TensorPrimitives.Add(_scratch, previous[from] - offset, _scratch);
                    TensorPrimitives.Exp(_scratch, _scratch);
                    var gradient = dTransitions.Slice(from * l, l);
                    TensorPrimitives.MultiplyAdd(_scratch, scale, gradient, gradient);
                }
            else
            {
                // pairwise = c · exp(α(from)) · exp(e_t + β_t − max)(to) · exp(transitions − max transition), the last factor
                // applied once per call; c ≤ e^ProductSpread because no pairwise marginal exceeds 1.
                float coefficient = scale * (float)Math.Exp((double)_maxTransition + ShiftedExp(_row) - offset);
                TensorPrimitives.Exp(previous, _scratch);
                for (int from = 0; from < l; from++)
                {
                    var sum = _pairwise.AsSpan(from * l, l);
                    TensorPrimitives.MultiplyAdd(_row, coefficient * _scratch[from], sum, sum);
                }
            }
            dTransitions[labels[row - batch] * l + label] -= scale;
        }
    }

    // gradient += marginal (already scaled) − scale · onehot(label)
    private static void AddGradient(Span<float> gradient, ReadOnlySpan<float> marginal, int label, float scale)
    {
        TensorPrimitives.Add(gradient, marginal, gradient);
        gradient[label] -= scale;
    }

    // The index of the first maximum, exactly as ONNX ArgMax picks it: TensorPrimitives.IndexOfMax would rank +0 above −0.
    private static int FirstMax(ReadOnlySpan<float> x)
    {
        int best = 0;
        for (int i = 1; i < x.Length; i++)
            if (x[i] > x[best]) best = i;
        return best;
    }

    // x ← exp(x − max x); returns max x.
    private static float ShiftedExp(Span<float> x)
    {
        float max = TensorPrimitives.Max(x);
        TensorPrimitives.Subtract(x, max, x);
        TensorPrimitives.Exp(x, x);
        return max;
    }

    // log Σ exp(x), the maximum subtracted first so that no exponential overflows; leaves exp(x − max) in x.
    private static float LogSumExp(Span<float> x) => ShiftedExp(x) + MathF.Log(TensorPrimitives.Sum(x));

    // Per call: the transposed transitions and, unless they spread wider than ProductSpread, exp(transitions − max) both ways.
    private void Prepare()
    {
        int l = Labels;
        ReadOnlySpan<float> transitions = Transitions.Value;
        MatrixTranspose.Transpose(transitions, _transposed, l, l);
        _maxTransition = TensorPrimitives.Max(transitions);
        _elementwise = !(_maxTransition - TensorPrimitives.Min(transitions) <= ProductSpread); // NaN too: it then propagates elementwise
        if (_elementwise) return;
        TensorPrimitives.Subtract(transitions, _maxTransition, _expTransitions);
        TensorPrimitives.Exp(_expTransitions, _expTransitions);
        TensorPrimitives.Subtract(_transposed, _maxTransition, _expTransposed);
        TensorPrimitives.Exp(_expTransposed, _expTransposed);
    }

    private void Validate(ReadOnlySpan<float> emissions, ReadOnlySpan<int> labels, ReadOnlySpan<int> lengths, int steps, int batch)
    {
        CheckShape(emissions, lengths, steps, batch);
        if (labels.Length < (long)steps * batch)
            throw new ArgumentException($"labels holds {labels.Length} values; [{steps}·{batch}] needs {(long)steps * batch}.", nameof(labels));
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < lengths[b]; t++)
            {
                int label = labels[t * batch + b];
                if ((uint)label >= (uint)Labels)
                    throw new ArgumentOutOfRangeException(nameof(labels), label,
                        $"The gold label of sequence {b} at step {t} is {label}; labels must lie in [0, {Labels}).");
            }
        Grow(steps);
    }

    private void CheckShape(ReadOnlySpan<float> emissions, ReadOnlySpan<int> lengths, int steps, int batch)
    {
        if (steps < 0 || batch < 0)
            throw new ArgumentOutOfRangeException(steps < 0 ? nameof(steps) : nameof(batch), "Steps and batch must not be negative.");
        long rows = (long)steps * batch;
        if (emissions.Length < rows * Labels)
            throw new ArgumentException($"emissions holds {emissions.Length} floats; [{steps}·{batch}, {Labels}] needs {rows * Labels}.", nameof(emissions));
        if (lengths.Length < batch)
            throw new ArgumentException($"lengths holds {lengths.Length} values; a batch of {batch} needs one per sequence.", nameof(lengths));
        for (int b = 0; b < batch; b++)
            if (lengths[b] < 1 || lengths[b] > steps)
                throw new ArgumentOutOfRangeException(nameof(lengths), lengths[b],
                    $"Sequence {b} has length {lengths[b]}; lengths must lie in [1, {steps}] (the batch's steps).");
    }

    // The per-sequence buffers, [steps, L], grown (never shrunk) to the longest batch seen.
    private void Grow(int steps)
    {
        if (_shift.Length >= steps) return;
        _alpha = new float[steps * Labels];
        _beta = new float[steps * Labels];
        _backpointers = new int[steps * Labels];
        _shift = new float[steps];
    }
}
