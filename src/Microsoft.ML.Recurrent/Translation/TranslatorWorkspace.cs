using Microsoft.ML.Recurrent.Layers;

namespace Microsoft.ML.Recurrent.Translation;

/// <summary>
/// Activation and gradient buffers of a <see cref="TranslatorNetwork"/> for batches of up to Batch pairs, sources of
/// up to MaxSource tokens and targets of up to MaxTarget steps, allocated once so that training does not allocate.
/// Time-major rows t·B + b, except the memory and keys, which attention reads batch-major (b·S + s).
/// </summary>
internal sealed class TranslatorWorkspace
{
    public TranslatorWorkspace(TranslatorNetwork network, int maxSource, int maxTarget, int batch, bool training)
    {
        var shape = network.Shape;
        MaxSource = maxSource;
        MaxTarget = maxTarget;
        Batch = batch;
        Encoder = network.Encoder.CreateWorkspace(maxSource, batch);
        Decoder = network.Decoder.CreateWorkspace(maxTarget, batch);
        int m = shape.MemoryWidth, k = network.Attention.KeyWidth, a = shape.AttentionWidth, hd = shape.Decoder.Hidden;
        Memory = new float[batch * maxSource * m];
        MemoryGradient = new float[Memory.Length];
        Keys = network.Attention.KeysAreMemory ? [] : new float[batch * maxSource * k];
        KeysGradient = new float[Keys.Length];
        int finalWidth = shape.Encoder.OutputWidth, layers = shape.Encoder.Layers;
        bool cell = shape.Encoder.Cell == RecurrentCell.Lstm;
        FinalH = [.. Enumerable.Range(0, layers).Select(_ => new float[batch * finalWidth])];
        FinalC = [.. Enumerable.Range(0, layers).Select(_ => cell ? new float[batch * finalWidth] : [])];
        FinalHGradient = [.. Enumerable.Range(0, layers).Select(_ => new float[batch * finalWidth])];
        FinalCGradient = [.. Enumerable.Range(0, layers).Select(_ => cell ? new float[batch * finalWidth] : [])];
        DirectionState = new float[batch * shape.Encoder.Hidden];
        DirectionCell = cell ? new float[batch * shape.Encoder.Hidden] : [];
        InitialStates = network.Decoder.CreateStates(batch);
        BridgeScratch = new float[batch * Math.Max(hd, finalWidth)];
        TargetEmbedded = new float[maxTarget * batch * shape.TargetEmbedding];
        Weights = new float[maxTarget * batch * maxSource];
        AdditiveHidden = shape.Score == AttentionScore.Additive ? new float[maxTarget * batch * maxSource * k] : [];
        Scratch = network.Attention.CreateScratch(batch, maxSource);
        Combined = new float[maxTarget * batch * (hd + m)];
        Feed = new float[maxTarget * batch * a];
        FeedGradient = new float[Feed.Length];
        CombinedGradient = new float[batch * (hd + m)];
        ContextGradient = new float[batch * m];
        Logits = new float[(training ? maxTarget : 1) * batch * shape.TargetVocabulary];
        SourceLengths = new int[batch];
    }

    public int MaxSource { get; }
    public int MaxTarget { get; }
    public int Batch { get; }
    /// <summary>Source tokens of the current batch, S.</summary>
    public int SourceSteps { get; set; }
    /// <summary>Decoder steps of the current batch, T.</summary>
    public int TargetSteps { get; set; }
    public int[] SourceLengths { get; }
    public StackWorkspace Encoder { get; }
    public StackWorkspace Decoder { get; }
    /// <summary>The encoder's top outputs, batch-major [B, S, M] (zero past a source's length).</summary>
    public float[] Memory { get; }
    public float[] MemoryGradient { get; }
    /// <summary>Attention keys [B, S, K] (empty for dot attention, whose keys are the memory).</summary>
    public float[] Keys { get; }
    public float[] KeysGradient { get; }
    /// <summary>Per encoder layer, its final states [B, D·H], [forward | backward] (what the bridge reads), and c (LSTM).</summary>
    public float[][] FinalH { get; }
    public float[][] FinalC { get; }
    public float[][] FinalHGradient { get; }
    public float[][] FinalCGradient { get; }
    /// <summary>One direction's final h (and c) [B, H], on their way in and out of <see cref="FinalH"/>.</summary>
    public float[] DirectionState { get; }
    public float[] DirectionCell { get; }
    /// <summary>The decoder's initial states, one per layer: the bridge's outputs.</summary>
    public RecurrentState[] InitialStates { get; }
    public float[] BridgeScratch { get; }
    /// <summary>Each step's input token embedded, [T·B, E]; its gradient after backward.</summary>
    public float[] TargetEmbedded { get; }
    /// <summary>Attention weights of every step, [T, B, S].</summary>
    public float[] Weights { get; }
    /// <summary>Additive attention's tanh(k + q·U) of every step, [T, B, S, K] (empty otherwise).</summary>
    public float[] AdditiveHidden { get; }
    public AttentionScratch Scratch { get; }
    /// <summary>[h | context] of every step, [T·B, H + M]: the attentional layer's input.</summary>
    public float[] Combined { get; }
    /// <summary>The attentional vectors [T·B, A]: the output layer's input, and the next step's fed input.</summary>
    public float[] Feed { get; }
    /// <summary>dLoss/dFeed, then (in place) the gradient of the attentional layer's pre-activation.</summary>
    public float[] FeedGradient { get; }
    public float[] CombinedGradient { get; }
    public float[] ContextGradient { get; }
    /// <summary>Next-token logits [T·B, V] in training, where the caller turns them into dLoss/dLogits before backward; one step's [B, V] in decoding.</summary>
    public float[] Logits { get; }
}
