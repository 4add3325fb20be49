using System.Numerics.Tensors;
using Microsoft.ML.Recurrent.Layers;
using Microsoft.ML.Recurrent.Numerics;

namespace Microsoft.ML.Recurrent.Translation;

/// <summary>
/// An encoder–decoder with global attention (Luong et al. 2015): source ids → embedding → encoder stack (typically
/// bidirectional) → memory [B, S, M]; decoder layer l starts from the bridge tanh(final h·Wh + b) (and c = final c·Wc + b
/// for LSTM) of encoder layer <see cref="TranslatorShape.BridgeSource"/>; each step t reads the previous target token's
/// embedding (and, with input feeding, the previous attentional vector), runs the decoder stack one step, attends with
/// its top state h_t over the memory, forms the attentional vector f_t = tanh([h_t | context_t]·Wc + bc) and scores the
/// next token by f_t·Wo + bo (f_t·Eᵀ + bo with tied embeddings). Training feeds the reference (teacher forcing); a
/// batch holds B pairs right-padded, sources masked exactly by the encoder and attention, targets by the loss.
/// </summary>
internal sealed class TranslatorNetwork
{
    private readonly Embedding _sourceEmbedding;
    private readonly StackedRecurrence _encoder;
    private readonly Dense[] _bridgeH;
    private readonly Dense[] _bridgeC;
    private readonly Embedding _targetEmbedding;
    private readonly StackedRecurrence _decoder;
    private readonly Attention _attention;
    private readonly Dense _combine;
    private readonly Dense? _output;
    private readonly Parameter? _tiedBias;

    /// <param name="shape">The architecture.</param>
    /// <param name="sharedValues">Weights of another network of the same shape to share (a replica with its own gradients and activations), or null.</param>
    public TranslatorNetwork(TranslatorShape shape, float[]? sharedValues = null)
    {
        shape.Validate();
        Shape = shape;
        Parameters = new ParameterStore();
        _sourceEmbedding = new Embedding(Parameters, "source.embedding", shape.SourceVocabulary, shape.SourceEmbedding);
        _encoder = new StackedRecurrence(Parameters, shape.Encoder, shape.SourceEmbedding, shape.Dropout, "encoder.");
        int layers = shape.Decoder.Layers, final = shape.Encoder.OutputWidth, hidden = shape.Decoder.Hidden;
        bool cell = shape.Decoder.Cell == RecurrentCell.Lstm;
        _bridgeH = [.. Enumerable.Range(0, layers).Select(l => new Dense(Parameters, $"bridge{l}.h", final, hidden))];
        _bridgeC = cell ? [.. Enumerable.Range(0, layers).Select(l => new Dense(Parameters, $"bridge{l}.c", final, hidden))] : [];
        _targetEmbedding = new Embedding(Parameters, "target.embedding", shape.TargetVocabulary, shape.TargetEmbedding);
        _decoder = new StackedRecurrence(Parameters, shape.Decoder, shape.DecoderInputWidth, shape.Dropout, "decoder.");
        _attention = new Attention(Parameters, "attention", shape.Score, shape.MemoryWidth, hidden, hidden);
        _combine = new Dense(Parameters, "combine", hidden + shape.MemoryWidth, shape.AttentionWidth);
        if (shape.TieEmbeddings) _tiedBias = Parameters.Declare("output.b", 1, shape.TargetVocabulary, isBias: true);
        else _output = new Dense(Parameters, "output", shape.AttentionWidth, shape.TargetVocabulary);
        Parameters.Seal(sharedValues);
    }

    /// <summary>A network reading the same weights with its own gradients (one per training thread).</summary>
    public TranslatorNetwork CreateReplica() => new(Shape, Parameters.Values);

    public TranslatorShape Shape { get; }
    public ParameterStore Parameters { get; }
    internal Embedding SourceEmbedding => _sourceEmbedding;
    internal StackedRecurrence Encoder => _encoder;
    internal IReadOnlyList<Dense> BridgeH => _bridgeH;
    internal IReadOnlyList<Dense> BridgeC => _bridgeC;
    internal Embedding TargetEmbedding => _targetEmbedding;
    internal StackedRecurrence Decoder => _decoder;
    internal Attention Attention => _attention;
    internal Dense Combine => _combine;
    /// <summary>The output layer (null with tied embeddings, which use <see cref="TiedBias"/> and the target embedding).</summary>
    internal Dense? Output => _output;
    internal Parameter? TiedBias => _tiedBias;

    /// <summary>
    /// Glorot-uniform weights, zero biases, and N(0, 1) embeddings as PyTorch's <c>nn.Embedding</c>: on words, where
    /// most tokens are rare and their rows see few updates, N(0, 0.1²) left them too faint to learn from (de-en
    /// validation loss 6.12 after 2 epochs against 4.94 at N(0, 1)). A target table tied to the output scores tokens
    /// too, so it starts at N(0, 1/E) instead, which keeps the first logits near unit scale.
    /// </summary>
    public void Initialize(RandomSource random) => GlorotInitialization.Apply(Parameters, random,
        [(_sourceEmbedding.Weight, 1.0), (_targetEmbedding.Weight, Shape.TieEmbeddings ? 1.0 / Math.Sqrt(Shape.TargetEmbedding) : 1.0)]);

    /// <summary>Buffers for training (<paramref name="training"/>: logits of every step) or decoding (one step's logits).</summary>
    public TranslatorWorkspace CreateWorkspace(int maxSource, int maxTarget, int batch, bool training = true) => new(this, maxSource, maxTarget, batch, training);

    // source [S·B] time-major ids, lengths [B] in 1..S -> ws.Memory, ws.Keys, ws.InitialStates
    public void Encode(TranslatorWorkspace ws, ReadOnlySpan<int> source, ReadOnlySpan<int> lengths, int steps, DropoutSeed? dropout)
    {
        int batch = ws.Batch, m = Shape.MemoryWidth;
        if (lengths.Length != batch) throw new ArgumentException($"This workspace holds batches of {batch} sources, not {lengths.Length}.", nameof(lengths));
        if (steps > ws.MaxSource) throw new ArgumentOutOfRangeException(nameof(steps), steps, $"Sources may have at most {ws.MaxSource} tokens here.");
        if (source.Length != steps * batch) throw new ArgumentException($"Expected {steps * batch} source ids, got {source.Length}.", nameof(source));
        var enc = ws.Encoder;
        enc.Begin(lengths, steps); // validates the lengths before the input is touched
        ws.SourceSteps = steps;
        lengths.CopyTo(ws.SourceLengths);
        _sourceEmbedding.Forward(source, enc.Input(steps));
        _encoder.Forward(enc, null, steps, dropout, lengths);
        var top = enc.TopOutput(steps);
        for (int s = 0; s < steps; s++)
            for (int b = 0; b < batch; b++)
                top.Slice((s * batch + b) * m, m).CopyTo(ws.Memory.AsSpan((b * steps + s) * m, m));
        if (!_attention.KeysAreMemory) _attention.Keys(ws.Memory.AsSpan(0, batch * steps * m), ws.Keys, batch * steps);
        Bridge(ws);
    }

    // encoder final states -> ws.InitialStates: h = tanh(final h·Wh + b), c = final c·Wc + b per decoder layer
    private void Bridge(TranslatorWorkspace ws)
    {
        int batch = ws.Batch, h = Shape.Encoder.Hidden, directions = Shape.Encoder.Directions, width = Shape.Encoder.OutputWidth;
        bool cell = _bridgeC.Length > 0;
        for (int l = 0; l < Shape.Encoder.Layers; l++)
            for (int d = 0; d < directions; d++)
            {
                _encoder.FinalStates(ws.Encoder, l, d, ws.DirectionState, ws.DirectionCell);
                for (int b = 0; b < batch; b++)
                {
                    ws.DirectionState.AsSpan(b * h, h).CopyTo(ws.FinalH[l].AsSpan(b * width + d * h, h));
                    if (cell) ws.DirectionCell.AsSpan(b * h, h).CopyTo(ws.FinalC[l].AsSpan(b * width + d * h, h));
                }
            }
        for (int l = 0; l < _bridgeH.Length; l++)
        {
            int source = Shape.BridgeSource(l);
            var state = ws.InitialStates[l];
            _bridgeH[l].Forward(ws.FinalH[source], state.H, batch);
            TensorPrimitives.Tanh(state.H, state.H);
            if (cell) _bridgeC[l].Forward(ws.FinalC[source], state.C, batch);
        }
    }

    /// <summary>Starts a decoder pass of up to <paramref name="steps"/> steps from the bridged states, after <see cref="Encode"/>.</summary>
    public void BeginDecode(TranslatorWorkspace ws, int steps, bool dropout)
    {
        if (steps > ws.MaxTarget) throw new ArgumentOutOfRangeException(nameof(steps), steps, $"Targets may have at most {ws.MaxTarget} steps here.");
        ws.TargetSteps = steps;
        _decoder.BeginSteps(ws.Decoder, ws.InitialStates, steps, dropout);
    }

    // inputs [B] (the previous tokens), step t -> ws.Feed rows of step t [B, A]; with `logits`, step t's in ws.Logits' first B rows
    public void DecodeStep(TranslatorWorkspace ws, ReadOnlySpan<int> inputs, int t, DropoutSeed? dropout, bool logits)
    {
        WriteInput(ws, inputs, t, t == 0 ? Span<float>.Empty : ws.Feed.AsSpan((t - 1) * ws.Batch * Shape.AttentionWidth, ws.Batch * Shape.AttentionWidth));
        _decoder.ForwardStep(ws.Decoder, t, DecoderSeed(dropout));
        Attend(ws, t, logits);
    }

    /// <summary>
    /// One step of one sequence from its own state, for beam search and sampling (batch 1, after <see cref="Encode"/>):
    /// the decoder states and the fed attentional vector advance by <paramref name="token"/>; ws.Logits' first row then
    /// scores the next token.
    /// </summary>
    public void Step(TranslatorWorkspace ws, RecurrentState[] states, float[] feed, int token)
    {
        if (ws.Batch != 1) throw new InvalidOperationException("A sequence's own step runs at batch 1.");
        ws.TargetSteps = 1;
        WriteInput(ws, [token], 0, feed);
        _decoder.Forward(ws.Decoder, states, 1, null);
        Attend(ws, 0, logits: true);
        ws.Feed.AsSpan(0, feed.Length).CopyTo(feed);
    }

    // inputs [B], the previous attentional vectors [B, A] (empty: zero) -> step t of the decoder's input [B, E (+ A)]
    private void WriteInput(TranslatorWorkspace ws, ReadOnlySpan<int> inputs, int t, ReadOnlySpan<float> previousFeed)
    {
        int batch = ws.Batch, e = Shape.TargetEmbedding, a = Shape.AttentionWidth, width = Shape.DecoderInputWidth;
        var embedded = ws.TargetEmbedded.AsSpan(t * batch * e, batch * e);
        _targetEmbedding.Forward(inputs, embedded);
        var x = ws.Decoder.Input(ws.TargetSteps).Slice(t * batch * width, batch * width);
        for (int b = 0; b < batch; b++)
        {
            embedded.Slice(b * e, e).CopyTo(x.Slice(b * width, e));
            if (!Shape.InputFeeding) continue;
            var fed = x.Slice(b * width + e, a);
            if (previousFeed.IsEmpty) fed.Clear();
            else previousFeed.Slice(b * a, a).CopyTo(fed);
        }
    }

    // step t of the decoder's top output [B, H] -> attention over the memory -> step t of ws.Feed [B, A] (and logits [B, V])
    private void Attend(TranslatorWorkspace ws, int t, bool logits)
    {
        int batch = ws.Batch, a = Shape.AttentionWidth, hd = Shape.Decoder.Hidden, m = Shape.MemoryWidth, sourceSteps = ws.SourceSteps;
        var top = ws.Decoder.TopOutput(ws.TargetSteps).Slice(t * batch * hd, batch * hd);
        var context = ws.ContextGradient.AsSpan(0, batch * m); // scratch until backward
        _attention.Forward(top, KeysOf(ws), MemoryOf(ws), ws.SourceLengths, sourceSteps, ws.Weights.AsSpan(t * batch * sourceSteps, batch * sourceSteps),
            context, AdditiveHiddenOf(ws, t), ws.Scratch);
        var combined = ws.Combined.AsSpan(t * batch * (hd + m), batch * (hd + m));
        for (int b = 0; b < batch; b++)
        {
            top.Slice(b * hd, hd).CopyTo(combined.Slice(b * (hd + m), hd));
            context.Slice(b * m, m).CopyTo(combined.Slice(b * (hd + m) + hd, m));
        }
        var feed = ws.Feed.AsSpan(t * batch * a, batch * a);
        _combine.Forward(combined, feed, batch);
        TensorPrimitives.Tanh(feed, feed);
        if (logits) Scores(feed, ws.Logits.AsSpan(0, batch * Shape.TargetVocabulary), batch); // one step's scores: decoding reads them at once
    }

    // source, lengths as Encode; targetInputs [T·B] time-major (start, then the reference) -> ws.Logits [T·B, V]
    public void Forward(TranslatorWorkspace ws, ReadOnlySpan<int> source, ReadOnlySpan<int> lengths, int sourceSteps,
        ReadOnlySpan<int> targetInputs, int targetSteps, DropoutSeed? dropout)
    {
        int batch = ws.Batch;
        if (targetInputs.Length != targetSteps * batch) throw new ArgumentException($"Expected {targetSteps * batch} target ids, got {targetInputs.Length}.", nameof(targetInputs));
        Encode(ws, source, lengths, sourceSteps, dropout);
        BeginDecode(ws, targetSteps, dropout != null);
        for (int t = 0; t < targetSteps; t++) DecodeStep(ws, targetInputs.Slice(t * batch, batch), t, dropout, logits: false);
        int rows = targetSteps * batch;
        Scores(ws.Feed.AsSpan(0, rows * Shape.AttentionWidth), ws.Logits.AsSpan(0, rows * Shape.TargetVocabulary), rows);
    }

    // feed [N, A] -> logits [N, V]
    private void Scores(ReadOnlySpan<float> feed, Span<float> logits, int rows)
    {
        if (_output != null)
        {
            _output.Forward(feed, logits, rows);
            return;
        }
        Gemm.MatMulTransB(feed, _targetEmbedding.Weight.Value, logits, rows, Shape.AttentionWidth, Shape.TargetVocabulary, accumulate: false);
        VectorKernels.AddBias(logits, _tiedBias!.Value, rows, Shape.TargetVocabulary);
    }

    // ws.Logits holds dLoss/dLogits [T·B, V] (zero on padded steps) -> parameter gradients accumulated
    public void Backward(TranslatorWorkspace ws, ReadOnlySpan<int> source, ReadOnlySpan<int> targetInputs)
    {
        int batch = ws.Batch, steps = ws.TargetSteps, sourceSteps = ws.SourceSteps, rows = steps * batch;
        int e = Shape.TargetEmbedding, a = Shape.AttentionWidth, hd = Shape.Decoder.Hidden, m = Shape.MemoryWidth, v = Shape.TargetVocabulary;
        int width = Shape.DecoderInputWidth;
        var dLogits = ws.Logits.AsSpan(0, rows * v);
        var feed = ws.Feed.AsSpan(0, rows * a);
        var dFeed = ws.FeedGradient.AsSpan(0, rows * a);
        if (_output != null)
        {
            _output.BackwardWeights(feed, dLogits, rows);
            _output.BackwardInput(dLogits, dFeed, rows);
        }
        else
        {
            Gemm.MatMulTransA(dLogits, feed, _targetEmbedding.Weight.Gradient, v, rows, a, accumulate: true);
            VectorKernels.AccumulateColumnSums(dLogits, _tiedBias!.Gradient, rows, v);
            Gemm.MatMul(dLogits, _targetEmbedding.Weight.Value, dFeed, rows, v, a, accumulate: false);
        }
        var dec = ws.Decoder;
        var memory = MemoryOf(ws);
        var dMemory = ws.MemoryGradient.AsSpan(0, memory.Length);
        dMemory.Clear();
        var dKeys = _attention.KeysAreMemory ? dMemory : ws.KeysGradient.AsSpan(0, batch * sourceSteps * _attention.KeyWidth);
        if (!_attention.KeysAreMemory) dKeys.Clear();
        var dEmbedded = ws.TargetEmbedded.AsSpan(0, rows * e);
        var dTop = dec.TopGradient(steps);
        _decoder.BeginBackwardSteps(dec);
        _combine.TransposeWeight();
        for (int t = steps - 1; t >= 0; t--)
        {
            var dPre = dFeed.Slice(t * batch * a, batch * a); // dLoss/df_t: from the output, and from step t + 1's fed input
            var f = feed.Slice(t * batch * a, batch * a);
            for (int i = 0; i < dPre.Length; i++) dPre[i] *= 1f - f[i] * f[i];
            var dCombined = ws.CombinedGradient.AsSpan(0, batch * (hd + m));
            _combine.BackwardInputStep(dPre, dCombined, batch);
            var dh = dTop.Slice(t * batch * hd, batch * hd);
            var dContext = ws.ContextGradient.AsSpan(0, batch * m);
            for (int b = 0; b < batch; b++)
            {
                dCombined.Slice(b * (hd + m), hd).CopyTo(dh.Slice(b * hd, hd));
                dCombined.Slice(b * (hd + m) + hd, m).CopyTo(dContext.Slice(b * m, m));
            }
            _attention.Backward(dContext, dec.TopOutput(steps).Slice(t * batch * hd, batch * hd), KeysOf(ws), memory, ws.SourceLengths, sourceSteps,
                ws.Weights.AsSpan(t * batch * sourceSteps, batch * sourceSteps), AdditiveHiddenOf(ws, t), dh, dKeys, dMemory, ws.Scratch);
            _decoder.BackwardStep(dec, t);
            var dx = dec.InputGradient.AsSpan(t * batch * width, batch * width);
            for (int b = 0; b < batch; b++)
            {
                dx.Slice(b * width, e).CopyTo(dEmbedded.Slice((t * batch + b) * e, e));
                if (!Shape.InputFeeding || t == 0) continue;
                var previous = dFeed.Slice(((t - 1) * batch + b) * a, a);
                TensorPrimitives.Add(previous, dx.Slice(b * width + e, a), previous);
            }
        }
        _decoder.EndBackwardSteps(dec);
        _combine.BackwardWeights(ws.Combined.AsSpan(0, rows * (hd + m)), dFeed, rows);
        _targetEmbedding.Backward(targetInputs, dEmbedded);
        BridgeBackward(ws);
        if (!_attention.KeysAreMemory) _attention.KeysBackward(memory, dKeys, dMemory, batch * sourceSteps);
        var enc = ws.Encoder;
        var dTopEncoder = enc.TopGradient(sourceSteps);
        for (int s = 0; s < sourceSteps; s++)
            for (int b = 0; b < batch; b++)
                dMemory.Slice((b * sourceSteps + s) * m, m).CopyTo(dTopEncoder.Slice((s * batch + b) * m, m));
        _encoder.Backward(enc, sourceSteps, inputGradient: true);
        _sourceEmbedding.Backward(source, enc.InputGradient.AsSpan(0, sourceSteps * batch * Shape.SourceEmbedding));
    }

    // the decoder's d(h0, c0) -> bridge gradients -> the encoder's final-state gradients (before its backward)
    private void BridgeBackward(TranslatorWorkspace ws)
    {
        int batch = ws.Batch, h = Shape.Encoder.Hidden, directions = Shape.Encoder.Directions, width = Shape.Encoder.OutputWidth;
        bool cell = _bridgeC.Length > 0;
        for (int l = 0; l < Shape.Encoder.Layers; l++)
        {
            Array.Clear(ws.FinalHGradient[l]);
            Array.Clear(ws.FinalCGradient[l]);
        }
        var scratch = ws.BridgeScratch.AsSpan(0, batch * width);
        for (int l = 0; l < _bridgeH.Length; l++)
        {
            int source = Shape.BridgeSource(l);
            var gradient = ws.Decoder.Caches[l].InitialStateGradient;
            var h0 = ws.InitialStates[l].H;
            var dPre = gradient.H; // through tanh, in place: the cache's d(h0) is not read again
            for (int i = 0; i < dPre.Length; i++) dPre[i] *= 1f - h0[i] * h0[i];
            _bridgeH[l].Backward(ws.FinalH[source], dPre, scratch, batch);
            TensorPrimitives.Add(ws.FinalHGradient[source], scratch, ws.FinalHGradient[source]);
            if (!cell) continue;
            _bridgeC[l].Backward(ws.FinalC[source], gradient.C, scratch, batch);
            TensorPrimitives.Add(ws.FinalCGradient[source], scratch, ws.FinalCGradient[source]);
        }
        for (int l = 0; l < Shape.Encoder.Layers; l++)
            for (int d = 0; d < directions; d++)
            {
                for (int b = 0; b < batch; b++)
                {
                    ws.FinalHGradient[l].AsSpan(b * width + d * h, h).CopyTo(ws.DirectionState.AsSpan(b * h, h));
                    if (cell) ws.FinalCGradient[l].AsSpan(b * width + d * h, h).CopyTo(ws.DirectionCell.AsSpan(b * h, h));
                }
                _encoder.AddFinalStateGradient(ws.Encoder, l, d, ws.DirectionState, ws.DirectionCell);
            }
    }

    private Span<float> MemoryOf(TranslatorWorkspace ws) => ws.Memory.AsSpan(0, ws.Batch * ws.SourceSteps * Shape.MemoryWidth);

    private ReadOnlySpan<float> KeysOf(TranslatorWorkspace ws)
        => _attention.KeysAreMemory ? MemoryOf(ws) : ws.Keys.AsSpan(0, ws.Batch * ws.SourceSteps * _attention.KeyWidth);

    private Span<float> AdditiveHiddenOf(TranslatorWorkspace ws, int t)
    {
        if (ws.AdditiveHidden.Length == 0) return Span<float>.Empty;
        int n = ws.Batch * ws.SourceSteps * _attention.KeyWidth;
        return ws.AdditiveHidden.AsSpan(t * n, n);
    }

    // The decoder's dropout masks must not repeat the encoder's (both number their layers from 0): its iterations are
    // the complements of the training iterations, which never collide with them.
    private static DropoutSeed? DecoderSeed(DropoutSeed? dropout) => dropout is { } d ? d with { Iteration = ~d.Iteration } : null;
}
