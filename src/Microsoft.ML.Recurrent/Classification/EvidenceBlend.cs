namespace Microsoft.ML.Recurrent.Classification;

/// <summary>
/// Fits how two sources of class logits combine: y = a·z + β·s + c (c one offset per class) minimising the
/// (class-weighted) mean softmax cross-entropy of the labels, by Newton's method. The loss is convex in (a, β, c), there are only
/// 2 + classes parameters, and a few iterations reach the minimum; a tiny ridge makes the Hessian invertible
/// (softmax ignores a common shift of the offsets). This is stacking: fitted on rows neither source was fitted on,
/// it weighs each source by how well it generalises rather than how well it remembers its training rows.
/// </summary>
internal static class EvidenceBlend
{
    private const int MaxIterations = 50;
    private const double Ridge = 1e-6;

    /// <summary>z and s [N, classes], labels [N] in [0, classes), class weights [classes] (null: all 1) → (a, β, c [classes]).</summary>
    public static (float A, float Beta, float[] Offsets) Fit(ReadOnlySpan<float> z, ReadOnlySpan<float> s, ReadOnlySpan<int> labels, int classes,
        double[]? classWeights = null)
    {
        if (z.Length != labels.Length * classes || s.Length != z.Length)
            throw new ArgumentException($"Expected {labels.Length} rows of {classes} logits and evidence.", nameof(z));
        var weights = classWeights ?? [.. Enumerable.Repeat(1.0, classes)];
        int p = 2 + classes;
        var theta = new double[p];
        theta[0] = 1; // start from the network alone
        var gradient = new double[p];
        var hessian = new double[p, p];
        double loss = Evaluate(z, s, labels, weights, theta, gradient, hessian);
        for (int iteration = 0; iteration < MaxIterations; iteration++)
        {
            var step = Solve(hessian, gradient);
            // Backtracking: halve the Newton step until the loss does not rise.
            var candidate = new double[p];
            double candidateLoss = double.PositiveInfinity;
            for (double t = 1; t > 1e-6; t /= 2)
            {
                for (int i = 0; i < p; i++) candidate[i] = theta[i] - t * step[i];
                candidateLoss = Evaluate(z, s, labels, weights, candidate, null, null);
                if (candidateLoss <= loss) break;
            }
            if (!(candidateLoss <= loss)) break;
            bool converged = loss - candidateLoss < 1e-10;
            theta = candidate;
            loss = Evaluate(z, s, labels, weights, theta, gradient, hessian);
            if (converged) break;
        }
        return ((float)theta[0], (float)theta[1], [.. theta.Skip(2).Select(v => (float)v)]);
    }

    // Weighted mean cross-entropy at θ; with gradient and hessian given, also their values there (ridge included).
    private static double Evaluate(ReadOnlySpan<float> z, ReadOnlySpan<float> s, ReadOnlySpan<int> labels, double[] weights, double[] theta,
        double[]? gradient, double[,]? hessian)
    {
        int p = theta.Length, classes = weights.Length;
        double n = 0;
        foreach (int label in labels) n += weights[label];
        if (gradient != null) Array.Clear(gradient);
        if (hessian != null) Array.Clear(hessian);
        Span<double> prob = stackalloc double[classes];
        double loss = 0;
        for (int r = 0; r < labels.Length; r++)
        {
            double w = weights[labels[r]];
            var zr = z.Slice(r * classes, classes);
            var sr = s.Slice(r * classes, classes);
            double max = double.NegativeInfinity;
            for (int c = 0; c < classes; c++) max = Math.Max(max, prob[c] = theta[0] * zr[c] + theta[1] * sr[c] + theta[2 + c]);
            double sum = 0;
            for (int c = 0; c < classes; c++) sum += prob[c] = Math.Exp(prob[c] - max);
            for (int c = 0; c < classes; c++) prob[c] /= sum;
            loss -= w * Math.Log(Math.Max(prob[labels[r]], double.Epsilon));
            if (gradient == null || hessian == null) continue;
            // ∂y_c/∂θ: (z_c, s_c, e_c); dL/dy = p − onehot; d²L/dy² = diag(p) − ppᵀ
            double ez = 0, es = 0;
            for (int c = 0; c < classes; c++)
            {
                double d = w * (prob[c] - (c == labels[r] ? 1 : 0));
                gradient[0] += d * zr[c];
                gradient[1] += d * sr[c];
                gradient[2 + c] += d;
                ez += prob[c] * zr[c];
                es += prob[c] * sr[c];
            }
            // H = Jᵀ (diag p − ppᵀ) J with J's columns z, s, e_1..e_C
            hessian[0, 0] += w * Covariance(prob, zr, zr, ez, ez);
            hessian[0, 1] += w * Covariance(prob, zr, sr, ez, es);
            hessian[1, 1] += w * Covariance(prob, sr, sr, es, es);
            for (int c = 0; c < classes; c++)
            {
                hessian[0, 2 + c] += w * prob[c] * (zr[c] - ez);
                hessian[1, 2 + c] += w * prob[c] * (sr[c] - es);
                for (int k = c; k < classes; k++) hessian[2 + c, 2 + k] += w * ((c == k ? prob[c] : 0) - prob[c] * prob[k]);
            }
        }
        if (gradient != null && hessian != null)
            for (int i = 0; i < p; i++)
            {
                gradient[i] /= n;
                for (int j = i; j < p; j++) hessian[j, i] = hessian[i, j] /= n;
                hessian[i, i] += Ridge;
            }
        return loss / n;
    }

    // Σ p_c (u_c − ū)(v_c − v̄) = Σ p_c u_c v_c − ū v̄
    private static double Covariance(ReadOnlySpan<double> prob, ReadOnlySpan<float> u, ReadOnlySpan<float> v, double uMean, double vMean)
    {
        double sum = 0;
        for (int c = 0; c < prob.Length; c++) sum += prob[c] * u[c] * v[c];
        return sum - uMean * vMean;
    }

    // Solves H x = g by Gaussian elimination with partial pivoting (H is small and positive definite).
    private static double[] Solve(double[,] hessian, double[] gradient)
    {
        int p = gradient.Length;
        var a = (double[,])hessian.Clone();
        var x = (double[])gradient.Clone();
        for (int col = 0; col < p; col++)
        {
            int pivot = col;
            for (int r = col + 1; r < p; r++) if (Math.Abs(a[r, col]) > Math.Abs(a[pivot, col])) pivot = r;
            for (int k = 0; k < p; k++) (a[col, k], a[pivot, k]) = (a[pivot, k], a[col, k]);
            (x[col], x[pivot]) = (x[pivot], x[col]);
            for (int r = col + 1; r < p; r++)
            {
                double f = a[r, col] / a[col, col];
                for (int k = col; k < p; k++) a[r, k] -= f * a[col, k];
                x[r] -= f * x[col];
            }
        }
        for (int r = p - 1; r >= 0; r--)
        {
            for (int k = r + 1; k < p; k++) x[r] -= a[r, k] * x[k];
            x[r] /= a[r, r];
        }
        return x;
    }
}
