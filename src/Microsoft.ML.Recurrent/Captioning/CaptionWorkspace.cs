using Microsoft.ML.Recurrent.Layers;

namespace Microsoft.ML.Recurrent.Captioning;

/// <summary>
/// Activation buffers of a <see cref="CaptionNetwork"/> for up to MaxSteps × Batch, allocated once: its
/// recurrent stack's, plus the word embeddings, the image terms and the logits; with attention, the regions, their
/// keys, each step's weights, context and gate, and what the output layer reads.
/// </summary>
internal sealed class CaptionWorkspace
{
    public CaptionWorkspace(CaptionNetwork network, int maxSteps, int batch)
    {
        if (maxSteps < 1 || batch < 1) throw new ArgumentOutOfRangeException(nameof(batch), "Steps and batch must be positive.");
        var shape = network.Shape;
        MaxSteps = maxSteps;
        Batch = batch;
        int rows = maxSteps * batch, gates0 = network.Recurrences[0].GateWidth;
        Embedded = new float[rows * shape.Embedding];
        GradEmbedded = new float[rows * shape.Embedding];
        ImageGates = new float[shape.Conditioning.HasFlag(ImageConditioning.EveryStep) ? batch * gates0 : 0];
        GradImage = new float[ImageGates.Length];
        Image = new float[shape.Attends ? batch * shape.ImageWidth : 0];
        Initial = [.. network.Recurrences.Select(_ => new float[batch * shape.Hidden])];
        GradInitial = new float[batch * shape.Hidden];
        Stack = network.Stack.CreateWorkspace(maxSteps, batch);
        Logits = new float[rows * shape.Vocabulary];
        if (network.Attention is not { } attention) return;
        int r = shape.Regions, c = shape.Channels, k = attention.KeyWidth, h = shape.Hidden;
        Regions = new float[batch * r * c];
        Keys = new float[batch * r * k];
        KeysGradient = new float[Keys.Length];
        Lengths = Enumerable.Repeat(r, batch).ToArray();
        Weights = new float[rows * r];
        WeightsGradient = new float[rows * r];
        Scores = new float[rows * r * k];
        Context = new float[rows * c];
        ContextGradient = new float[batch * c];
        Gate = new float[shape.Gate ? rows : 0];
        GateGradient = new float[Gate.Length > 0 ? batch : 0];
        FirstQuery = new float[batch * h];
        QueryGradient = new float[batch * h];
        GateQueryGradient = new float[batch * h];
        Combined = new float[rows * (h + c)];
        CombinedGradient = new float[rows * (h + c)];
        Scratch = attention.CreateScratch(batch, r);
    }

    public int MaxSteps { get; }
    public int Batch { get; }
    public float[] Embedded { get; }
    public float[] GradEmbedded { get; }
    /// <summary>Wih·v + b for each stream, [B, G·H].</summary>
    public float[] ImageGates { get; }
    public float[] GradImage { get; }
    /// <summary>With attention: v, the mean region of each stream, [B, C].</summary>
    public float[] Image { get; }
    /// <summary>Each layer's image-derived h0, [B, H] (kept for the tanh derivative).</summary>
    public float[][] Initial { get; }
    public float[] GradInitial { get; }
    public StackWorkspace Stack { get; }
    public float[] Logits { get; }

    // Attention only (empty otherwise).
    /// <summary>Each stream's regions, region-major [B, R, C].</summary>
    public float[] Regions { get; } = [];
    /// <summary>The regions' attention keys [B, R, K], computed once per image.</summary>
    public float[] Keys { get; } = [];
    public float[] KeysGradient { get; } = [];
    /// <summary>Every stream has all R regions.</summary>
    public int[] Lengths { get; } = [];
    /// <summary>α of each step [T·B, R].</summary>
    public float[] Weights { get; } = [];
    /// <summary>dLoss/dα [T·B, R] from the coverage regulariser (zero when it is off).</summary>
    public float[] WeightsGradient { get; } = [];
    /// <summary>The additive score's tanh(k_r + q·U) of each step [T·B, R, K].</summary>
    public float[] Scores { get; } = [];
    /// <summary>The ungated context Σ α_r a_r of each step [T·B, C].</summary>
    public float[] Context { get; } = [];
    public float[] ContextGradient { get; } = [];
    /// <summary>β of each step [T·B] (gated attention only).</summary>
    public float[] Gate { get; } = [];
    public float[] GateGradient { get; } = [];
    /// <summary>The query of step 0: the top layer's state before the first step [B, H].</summary>
    public float[] FirstQuery { get; } = [];
    /// <summary>dLoss/d(query) of the step after the one being differentiated [B, H].</summary>
    public float[] QueryGradient { get; } = [];
    public float[] GateQueryGradient { get; } = [];
    /// <summary>What the output layer reads: [h_t, z_t] of each step [T·B, H + C].</summary>
    public float[] Combined { get; } = [];
    public float[] CombinedGradient { get; } = [];
    public AttentionScratch? Scratch { get; }
}
