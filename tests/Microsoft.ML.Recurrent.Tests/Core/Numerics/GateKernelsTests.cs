using Microsoft.ML.Recurrent.Numerics;
using Xunit;
using Xunit.Abstractions;
using static Microsoft.ML.Recurrent.Tests.Numerics.NumericsTestHelpers;

namespace Microsoft.ML.Recurrent.Tests.Numerics;

/// <summary>
/// Cell kernels against double-precision references, on O(1) inputs where a wrong gate, block or formula is off
/// by far more than 1e-3. σ and tanh must be within 3e-7 relative (plus 1e-38 for underflow); values computed
/// from them, which can cancel to near zero, within 4e-6 absolute (their terms are at most about 4); the
/// backward formulas only multiply and add floats: within 1e-6 + 2e-6·|x|. All paths must agree to the bit.
/// </summary>
public class GateKernelsTests(ITestOutputHelper output)
{
    private const double ActivationRtol = 3e-7;
    private const double DerivedAtol = 4e-6;
    private const double BackwardAtol = 1e-6;
    private const double BackwardRtol = 2e-6;

    public static TheoryData<int, int> Shapes()
    {
        var data = new TheoryData<int, int>();
        foreach (int hidden in OddLengths)
            data.Add(hidden == 100 ? 1 : 3, hidden);
        return data;
    }

    /// <summary>Pre-activations: mostly in [−4, 4], with saturated, tiny and zero values mixed in.</summary>
    private static float[] PreActivations(int length, int seed)
    {
        var x = Random(length, seed, -4f, 4f);
        float[] special = [0f, -0f, 1e-5f, -3e-4f, 0.6249f, -0.626f, 9f, -9f, 30f, -30f, 100f, -100f];
        for (int i = 0; i < x.Length; i += 5)
            x[i] = special[i / 5 % special.Length];
        return x;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void LstmForwardMatchesReference(int batch, int hidden)
    {
        int bh = batch * hidden;
        var pre = PreActivations(4 * bh, 1);
        var cPrev = Random(bh, 2, -3f, 3f);

        var gates = new double[4 * bh];
        var c = new double[bh];
        var tanhC = new double[bh];
        var h = new double[bh];
        for (int b = 0; b < batch; b++)
            for (int j = 0; j < hidden; j++)
            {
                int r = b * 4 * hidden + j, s = b * hidden + j;
                double i = Sigmoid(pre[r]), f = Sigmoid(pre[r + hidden]), o = Sigmoid(pre[r + 2 * hidden]), g = Math.Tanh(pre[r + 3 * hidden]);
                (gates[r], gates[r + hidden], gates[r + 2 * hidden], gates[r + 3 * hidden]) = (i, f, o, g);
                c[s] = f * cPrev[s] + i * g;
                tanhC[s] = Math.Tanh(c[s]);
                h[s] = o * tanhC[s];
            }

        float[][]? first = null;
        foreach (int width in Widths)
        {
            var outputs = WithWidth(width, output, () =>
            {
                float[] g = (float[])pre.Clone(), cv = new float[bh], tc = new float[bh], hv = new float[bh];
                GateKernels.LstmForward(g, cPrev, cv, tc, hv, batch, hidden);
                return new[] { g, cv, tc, hv };
            });
            string what = $"LSTM {batch}x{hidden} width={width}";
            Close(gates, outputs[0], 1e-38, ActivationRtol, what + " gates");
            Close(c, outputs[1], DerivedAtol, 0, what + " c");
            Close(tanhC, outputs[2], DerivedAtol, 0, what + " tanhC");
            Close(h, outputs[3], DerivedAtol, 0, what + " h");
            SameAsFirst(ref first, outputs, what);
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void LstmBackwardMatchesReference(int batch, int hidden)
    {
        int bh = batch * hidden;
        var gates = Random(4 * bh, 3, 0f, 1f);
        for (int i = 0; i < gates.Length; i++)
            if (i / hidden % 4 == 3)
                gates[i] = 2 * gates[i] - 1;   // g = tanh(·) ∈ (−1, 1)
        var cPrev = Random(bh, 4, -2f, 2f);
        var tanhC = Random(bh, 5);
        var dh = Random(bh, 6);
        var dcIn = Random(bh, 7);

        var dGates = new double[4 * bh];
        var dc = new double[bh];
        for (int b = 0; b < batch; b++)
            for (int j = 0; j < hidden; j++)
            {
                int r = b * 4 * hidden + j, s = b * hidden + j;
                double i = gates[r], f = gates[r + hidden], o = gates[r + 2 * hidden], g = gates[r + 3 * hidden], tc = tanhC[s];
                double dcv = dcIn[s] + dh[s] * o * (1 - tc * tc);
                dGates[r] = dcv * g * i * (1 - i);
                dGates[r + hidden] = dcv * cPrev[s] * f * (1 - f);
                dGates[r + 2 * hidden] = dh[s] * tc * o * (1 - o);
                dGates[r + 3 * hidden] = dcv * i * (1 - g * g);
                dc[s] = dcv * f;
            }

        float[][]? first = null;
        foreach (int width in Widths)
        {
            var outputs = WithWidth(width, output, () =>
            {
                var dcv = (float[])dcIn.Clone();
                var dg = new float[4 * bh];
                GateKernels.LstmBackward(gates, cPrev, tanhC, dh, dcv, dg, batch, hidden);

                // dGates may overwrite gates: the result must not change.
                var inPlace = (float[])gates.Clone();
                var dc2 = (float[])dcIn.Clone();
                GateKernels.LstmBackward(inPlace, cPrev, tanhC, dh, dc2, inPlace, batch, hidden);
                SameBits(dg, inPlace, "LSTM backward with dGates = gates");
                return new[] { dg, dcv };
            });
            string what = $"LSTM backward {batch}x{hidden} width={width}";
            Close(dGates, outputs[0], BackwardAtol, BackwardRtol, what + " dGates");
            Close(dc, outputs[1], BackwardAtol, BackwardRtol, what + " dc");
            SameAsFirst(ref first, outputs, what);
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void GruForwardMatchesReference(int batch, int hidden)
    {
        int bh = batch * hidden, bg = 3 * bh;
        var xg = PreActivations(bg, 8);
        var hg = Random(bg, 9, -2f, 2f);
        var hPrev = Random(bh, 10);

        var gates = new double[bg];
        var h = new double[bh];
        for (int b = 0; b < batch; b++)
            for (int j = 0; j < hidden; j++)
            {
                int r0 = b * 3 * hidden + j, s = b * hidden + j;
                double r = Sigmoid(xg[r0] + hg[r0]);
                double z = Sigmoid(xg[r0 + hidden] + hg[r0 + hidden]);
                double n = Math.Tanh(xg[r0 + 2 * hidden] + r * hg[r0 + 2 * hidden]);
                (gates[r0], gates[r0 + hidden], gates[r0 + 2 * hidden]) = (r, z, n);
                h[s] = (1 - z) * n + z * hPrev[s];
            }

        float[][]? first = null;
        foreach (int width in Widths)
        {
            var outputs = WithWidth(width, output, () =>
            {
                float[] g = new float[bg], hv = new float[bh];
                GateKernels.GruForward(xg, hg, hPrev, g, hv, batch, hidden);
                return new[] { g, hv };
            });
            string what = $"GRU {batch}x{hidden} width={width}";
            // σ and tanh see float sums, xn + r⊙hn carrying r's error times |hn| ≤ 2.
            Close(gates, outputs[0], DerivedAtol, 0, what + " gates");
            Close(h, outputs[1], DerivedAtol, 0, what + " h");
            SameAsFirst(ref first, outputs, what);
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void GruBackwardMatchesReference(int batch, int hidden)
    {
        int bh = batch * hidden, bg = 3 * bh;
        var gates = Random(bg, 11, 0f, 1f);
        var hg = Random(bg, 12, -2f, 2f);
        var hPrev = Random(bh, 13);
        var dh = Random(bh, 14);

        var dxg = new double[bg];
        var dhg = new double[bg];
        var dhPrev = new double[bh];
        for (int b = 0; b < batch; b++)
            for (int j = 0; j < hidden; j++)
            {
                int r0 = b * 3 * hidden + j, s = b * hidden + j;
                double r = gates[r0], z = gates[r0 + hidden], n = gates[r0 + 2 * hidden], hn = hg[r0 + 2 * hidden], d = dh[s];
                double dn = d * (1 - z) * (1 - n * n);
                double dz = d * (hPrev[s] - n) * z * (1 - z);
                double dr = dn * hn * r * (1 - r);
                (dxg[r0], dxg[r0 + hidden], dxg[r0 + 2 * hidden]) = (dr, dz, dn);
                (dhg[r0], dhg[r0 + hidden], dhg[r0 + 2 * hidden]) = (dr, dz, dn * r);
                dhPrev[s] = d * z;
            }

        float[][]? first = null;
        foreach (int width in Widths)
        {
            var outputs = WithWidth(width, output, () =>
            {
                float[] dx = new float[bg], dhh = new float[bg], dhp = new float[bh];
                GateKernels.GruBackward(gates, hg, hPrev, dh, dx, dhh, dhp, batch, hidden);
                return new[] { dx, dhh, dhp };
            });
            string what = $"GRU backward {batch}x{hidden} width={width}";
            Close(dxg, outputs[0], BackwardAtol, BackwardRtol, what + " dxg");
            Close(dhg, outputs[1], BackwardAtol, BackwardRtol, what + " dhg");
            Close(dhPrev, outputs[2], BackwardAtol, BackwardRtol, what + " dhPrev");
            SameAsFirst(ref first, outputs, what);
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void RnnForwardAndBackwardMatchReference(int batch, int hidden)
    {
        int bh = batch * hidden;
        var pre = PreActivations(bh, 15);
        var dh = Random(bh, 16);
        var dhCarried = Random(bh, 17);
        var h = pre.Select(v => Math.Tanh(v)).ToArray();

        float[][]? first = null;
        foreach (int width in Widths)
        {
            var outputs = WithWidth(width, output, () =>
            {
                var hv = (float[])pre.Clone();
                GateKernels.RnnForward(hv);
                var dPre = new float[bh];
                GateKernels.RnnBackward(hv, dh, dhCarried, dPre);
                return new[] { hv, dPre };
            });
            string what = $"RNN {batch}x{hidden} width={width}";
            Close(h, outputs[0], 1e-38, ActivationRtol, what + " h");
            var dPreExpected = outputs[0].Select((hv, i) => ((double)dh[i] + dhCarried[i]) * (1 - (double)hv * hv)).ToArray();
            Close(dPreExpected, outputs[1], BackwardAtol, BackwardRtol, what + " dPre");
            SameAsFirst(ref first, outputs, what);
        }
    }

    /// <summary>σ and tanh over a dense grid, including the switch between tanh's two formulas at 0.625.</summary>
    [Fact]
    public void ActivationsAreAccurateEverywhere()
    {
        var x = Enumerable.Range(-20000, 40001).Select(i => i * 1e-3f).Concat([1e-30f, -1e-20f, 0.625f, -0.625f, 50f, -50f, 1e4f, -1e4f]).ToArray();
        foreach (int width in Widths)
        {
            var tanh = WithWidth(width, output, () =>
            {
                var t = (float[])x.Clone();
                GateKernels.RnnForward(t);
                return t;
            });
            Close(x.Select(v => Math.Tanh(v)).ToArray(), tanh, 1e-38, ActivationRtol, $"tanh width={width}");
        }

        // σ through an LSTM with H = 1: i = σ(x).
        foreach (int width in Widths)
        {
            var sigmoid = WithWidth(width, output, () =>
            {
                var gates = new float[4 * x.Length];
                for (int b = 0; b < x.Length; b++)
                    gates[4 * b] = x[b];
                GateKernels.LstmForward(gates, new float[x.Length], new float[x.Length], new float[x.Length], new float[x.Length], x.Length, 1);
                return Enumerable.Range(0, x.Length).Select(b => gates[4 * b]).ToArray();
            });
            Close(x.Select(v => Sigmoid(v)).ToArray(), sigmoid, 1e-38, ActivationRtol, $"sigmoid width={width}");
        }
    }

    [Fact]
    public void NaNPropagates()
    {
        foreach (int width in Widths)
        {
            var h = WithWidth(width, output, () =>
            {
                var t = Enumerable.Repeat(float.NaN, 37).ToArray();
                GateKernels.RnnForward(t);
                return t;
            });
            Assert.All(h, v => Assert.True(float.IsNaN(v), $"tanh(NaN) = {v} at width {width}"));
        }
    }

    [Fact]
    public void TooSmallBuffersThrow()
    {
        Assert.Throws<ArgumentException>(() => GateKernels.LstmForward(new float[7], new float[2], new float[2], new float[2], new float[2], 1, 2));
        Assert.Throws<ArgumentException>(() => GateKernels.GruBackward(new float[6], new float[6], new float[2], new float[2], new float[6], new float[6], new float[1], 1, 2));
        Assert.Throws<ArgumentException>(() => GateKernels.RnnBackward(new float[3], new float[4], new float[4], new float[4]));
    }

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    private static void SameAsFirst(ref float[][]? first, float[][] outputs, string what)
    {
        if (first is null)
        {
            first = outputs;
            return;
        }

        for (int i = 0; i < outputs.Length; i++)
            SameBits(first[i], outputs[i], $"{what} output {i} vs width 512");
    }
}
