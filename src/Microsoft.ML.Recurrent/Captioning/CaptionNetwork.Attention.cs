using System.Numerics.Tensors;
using Microsoft.ML.Recurrent.Layers;

namespace Microsoft.ML.Recurrent.Captioning;

/// <summary>
/// The attention network's steps: with the previous state as query, forward one step at a time (each query is the previous
/// output) and backward in reverse; with the current state, the stack in one pass and then every step's attention.
/// </summary>
internal sealed partial class CaptionNetwork
{
    // ws.Embedded [T·B, E], states -> ws.Logits [T·B, V]; the states become those after step T
    private void ForwardAttending(CaptionWorkspace ws, RecurrentState[] states, int steps, DropoutSeed? dropout)
    {
        int b = ws.Batch, h = Shape.Hidden, c = Shape.Channels, e = Shape.Embedding, width = e + c, rows = steps * b;
        states[^1].H.CopyTo(ws.FirstQuery, 0);
        _stack.BeginSteps(ws.Stack, states, steps, dropout != null);
        var input = ws.Stack.Input(steps);
        var top = ws.Stack.TopOutput(steps);
        for (int t = 0; t < steps; t++)
        {
            ReadOnlySpan<float> query = t == 0 ? ws.FirstQuery : top.Slice((t - 1) * b * h, b * h);
            Attend(ws, query, t);
            for (int s = 0; s < b; s++)
            {
                int row = t * b + s;
                var x = input.Slice(row * width, width);
                ws.Embedded.AsSpan(row * e, e).CopyTo(x);
                var z = x.Slice(e, c);
                ws.Context.AsSpan(row * c, c).CopyTo(z);
                if (_gate != null) TensorPrimitives.Multiply(z, ws.Gate[row], z);
            }
            _stack.ForwardStep(ws.Stack, t, dropout);
        }
        var combined = ws.Combined.AsSpan(0, rows * (h + c));
        for (int row = 0; row < rows; row++)
        {
            top.Slice(row * h, h).CopyTo(combined.Slice(row * (h + c), h));
            input.Slice(row * width + e, c).CopyTo(combined.Slice(row * (h + c) + h, c));
        }
        _output.Forward(combined, ws.Logits.AsSpan(0, rows * Shape.Vocabulary), rows);
        for (int l = 0; l < states.Length; l++) _stack.FinalStates(ws.Stack, l, 0, states[l].H, states[l].C);
    }

    // query [B, H] -> step t's α [B, R], context [B, C] and (gated) β [B]
    private void Attend(CaptionWorkspace ws, ReadOnlySpan<float> query, int t)
    {
        int b = ws.Batch, r = Shape.Regions, c = Shape.Channels, k = Attention!.KeyWidth;
        Attention.Forward(query, ws.Keys, ws.Regions, ws.Lengths, r, ws.Weights.AsSpan(t * b * r, b * r), ws.Context.AsSpan(t * b * c, b * c),
            ws.Scores.AsSpan(t * b * r * k, b * r * k), ws.Scratch!);
        if (_gate == null) return;
        var beta = ws.Gate.AsSpan(t * b, b);
        _gate.Forward(query, beta, b);
        TensorPrimitives.Sigmoid(beta, beta);
    }

    // ws.Logits holds dLoss/dLogits [T·B, V], ws.WeightsGradient dLoss/dα -> parameter gradients accumulated
    private void BackwardAttending(CaptionWorkspace ws, ReadOnlySpan<int> ids, int steps)
    {
        int b = ws.Batch, h = Shape.Hidden, c = Shape.Channels, e = Shape.Embedding, r = Shape.Regions, k = Attention!.KeyWidth;
        int width = e + c, rows = steps * b;
        var dCombined = BackwardOutput(ws, rows);
        var top = ws.Stack.TopOutput(steps);
        var dTop = ws.Stack.TopGradient(steps);
        var dQuery = ws.QueryGradient.AsSpan(); // from step t + 1, whose query is step t's output
        dQuery.Clear();
        Array.Clear(ws.KeysGradient);
        var dEmbedded = ws.GradEmbedded.AsSpan(0, rows * e);
        var dContext = ws.ContextGradient.AsSpan();
        _stack.BeginBackwardSteps(ws.Stack);
        for (int t = steps - 1; t >= 0; t--)
        {
            for (int s = 0; s < b; s++)
                TensorPrimitives.Add(dCombined.Slice((t * b + s) * (h + c), h), dQuery.Slice(s * h, h), dTop.Slice((t * b + s) * h, h));
            _stack.BackwardStep(ws.Stack, t);
            var dx = ws.Stack.InputGradient.AsSpan(t * b * width, b * width);
            for (int s = 0; s < b; s++)
            {
                int row = t * b + s;
                dx.Slice(s * width, e).CopyTo(dEmbedded.Slice(row * e, e));
                TensorPrimitives.Add(dCombined.Slice(row * (h + c) + h, c), dx.Slice(s * width + e, c), dContext.Slice(s * c, c)); // dLoss/dz
            }
            ReadOnlySpan<float> query = t == 0 ? ws.FirstQuery : top.Slice((t - 1) * b * h, b * h);
            dQuery.Clear();
            BackwardGate(ws, query, dContext, dQuery, t);
            Attention.Backward(dContext, query, ws.Keys, ws.Regions, ws.Lengths, r, ws.Weights.AsSpan(t * b * r, b * r), ws.Scores.AsSpan(t * b * r * k, b * r * k),
                dQuery, ws.KeysGradient, [], ws.Scratch!, ws.WeightsGradient.AsSpan(t * b * r, b * r));
        }
        _stack.EndBackwardSteps(ws.Stack);
        _words.Backward(ids, dEmbedded);
        Attention.KeysBackward(ws.Regions, ws.KeysGradient, [], b * r);
        if (_initial.Length == 0) return; // h0 = 0: the first query's gradient has nowhere to go
        var dh0 = ws.Stack.Caches[^1].InitialStateGradient.H;
        TensorPrimitives.Add(dh0, dQuery, dh0);
        for (int l = 0; l < _initial.Length; l++) BackwardInitialState(ws, ws.Image, l);
    }

    // AttentionQuery.CurrentState: ws.Embedded [T·B, E], states -> ws.Logits [T·B, V]; the states become those after step T
    private void ForwardLookingAfter(CaptionWorkspace ws, RecurrentState[] states, int steps, DropoutSeed? dropout)
    {
        int b = ws.Batch, h = Shape.Hidden, c = Shape.Channels, rows = steps * b;
        ws.Embedded.AsSpan(0, rows * Shape.Embedding).CopyTo(ws.Stack.Input(steps));
        _stack.Forward(ws.Stack, states, steps, dropout);
        var top = ws.Stack.TopOutput(steps);
        var combined = ws.Combined.AsSpan(0, rows * (h + c));
        for (int t = 0; t < steps; t++)
        {
            Attend(ws, top.Slice(t * b * h, b * h), t);
            for (int s = 0; s < b; s++)
            {
                int row = t * b + s;
                top.Slice(row * h, h).CopyTo(combined.Slice(row * (h + c), h));
                var z = combined.Slice(row * (h + c) + h, c);
                ws.Context.AsSpan(row * c, c).CopyTo(z);
                if (_gate != null) TensorPrimitives.Multiply(z, ws.Gate[row], z);
            }
        }
        _output.Forward(combined, ws.Logits.AsSpan(0, rows * Shape.Vocabulary), rows);
    }

    // AttentionQuery.CurrentState: ws.Logits holds dLoss/dLogits [T·B, V], ws.WeightsGradient dLoss/dα -> parameter gradients
    private void BackwardLookingAfter(CaptionWorkspace ws, ReadOnlySpan<int> ids, int steps)
    {
        int b = ws.Batch, h = Shape.Hidden, c = Shape.Channels, r = Shape.Regions, k = Attention!.KeyWidth, rows = steps * b;
        var dCombined = BackwardOutput(ws, rows);
        var top = ws.Stack.TopOutput(steps);
        var dTop = ws.Stack.TopGradient(steps);
        var dQuery = ws.QueryGradient.AsSpan();
        var dContext = ws.ContextGradient.AsSpan();
        Array.Clear(ws.KeysGradient);
        for (int t = 0; t < steps; t++)
        {
            var query = top.Slice(t * b * h, b * h);
            for (int s = 0; s < b; s++)
            {
                int row = t * b + s;
                dCombined.Slice(row * (h + c), h).CopyTo(dTop.Slice(row * h, h));
                dCombined.Slice(row * (h + c) + h, c).CopyTo(dContext.Slice(s * c, c)); // dLoss/dz
            }
            dQuery.Clear();
            BackwardGate(ws, query, dContext, dQuery, t);
            Attention.Backward(dContext, query, ws.Keys, ws.Regions, ws.Lengths, r, ws.Weights.AsSpan(t * b * r, b * r), ws.Scores.AsSpan(t * b * r * k, b * r * k),
                dQuery, ws.KeysGradient, [], ws.Scratch!, ws.WeightsGradient.AsSpan(t * b * r, b * r));
            var dTopStep = dTop.Slice(t * b * h, b * h);
            TensorPrimitives.Add(dTopStep, dQuery, dTopStep);
        }
        _stack.Backward(ws.Stack, steps, inputGradient: true);
        _words.Backward(ids, ws.Stack.InputGradient.AsSpan(0, rows * Shape.Embedding));
        Attention.KeysBackward(ws.Regions, ws.KeysGradient, [], b * r);
        for (int l = 0; l < _initial.Length; l++) BackwardInitialState(ws, ws.Image, l);
    }

    // ws.Logits holds dLoss/dLogits [T·B, V] -> the output layer's weight gradients, and dLoss/d[h, z] [T·B, H + C] returned
    private Span<float> BackwardOutput(CaptionWorkspace ws, int rows)
    {
        int width = Shape.Hidden + Shape.Channels;
        var dCombined = ws.CombinedGradient.AsSpan(0, rows * width);
        var dLogits = ws.Logits.AsSpan(0, rows * Shape.Vocabulary);
        _output.BackwardWeights(ws.Combined.AsSpan(0, rows * width), dLogits, rows);
        _output.BackwardInput(dLogits, dCombined, rows);
        return dCombined;
    }

    // z = β·context (step t, dContext [B, C] holding dLoss/dz): dβ = dz·context, then dContext becomes β·dz and dQuery
    // gains the gate's query gradient; β = σ(q·w + b). Nothing without a gate.
    private void BackwardGate(CaptionWorkspace ws, ReadOnlySpan<float> query, Span<float> dContext, Span<float> dQuery, int t)
    {
        if (_gate == null) return;
        int b = ws.Batch, c = Shape.Channels;
        for (int s = 0; s < b; s++)
        {
            int row = t * b + s;
            float beta = ws.Gate[row];
            var dz = dContext.Slice(s * c, c);
            ws.GateGradient[s] = TensorPrimitives.Dot(dz, ws.Context.AsSpan(row * c, c)) * beta * (1f - beta);
            TensorPrimitives.Multiply(dz, beta, dz);
        }
        _gate.Backward(query, ws.GateGradient, ws.GateQueryGradient, b);
        TensorPrimitives.Add(dQuery, ws.GateQueryGradient, dQuery);
    }

    /// <summary>
    /// The doubly-stochastic regulariser after a forward: <paramref name="weight"/> · <paramref name="scale"/> ·
    /// Σ_streams Σ_r (1 − Σ_t α_tr)², over each stream's steps that have a target (≥ 0 in <paramref name="targets"/>
    /// [T·B]); writes its gradient into ws.WeightsGradient for <see cref="Backward"/> and returns its value.
    /// </summary>
    public double CoveragePenalty(CaptionWorkspace ws, ReadOnlySpan<int> targets, int steps, float weight, float scale)
    {
        if (Attention == null) throw new InvalidOperationException("Only an attention network has a coverage regulariser.");
        int b = ws.Batch, r = Shape.Regions;
        Span<float> total = stackalloc float[r];
        double penalty = 0;
        for (int s = 0; s < b; s++)
        {
            total.Clear();
            for (int t = 0; t < steps; t++)
                if (targets[t * b + s] >= 0) TensorPrimitives.Add(total, ws.Weights.AsSpan((t * b + s) * r, r), total);
            for (int i = 0; i < r; i++)
            {
                float gap = 1f - total[i];
                penalty += gap * gap;
                total[i] = -2f * gap * weight * scale; // d/dα_tr of every counted step
            }
            for (int t = 0; t < steps; t++)
            {
                var dWeights = ws.WeightsGradient.AsSpan((t * b + s) * r, r);
                if (targets[t * b + s] >= 0) total.CopyTo(dWeights);
                else dWeights.Clear();
            }
        }
        return weight * scale * penalty;
    }
}
