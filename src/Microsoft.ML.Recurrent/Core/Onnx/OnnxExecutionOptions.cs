namespace Microsoft.ML.Recurrent.Onnx;

/// <summary>
/// Where ONNX Runtime runs our graphs: the CPU (default) or a CUDA device. CUDA needs the
/// <c>Microsoft.ML.OnnxRuntime.Gpu.Linux</c> package instead of <c>Microsoft.ML.OnnxRuntime</c> (build this library
/// with <c>-p:OnnxRuntimeGpu=true</c>) and CUDA 13 with cuDNN on the machine.
/// </summary>
public sealed class OnnxExecutionOptions
{
    /// <summary>CUDA device to run on; null (the default) runs on the CPU.</summary>
    public int? GpuDeviceId { get; set; }

    /// <summary>
    /// When CUDA is asked for but cannot be used: true (the default) runs on the CPU instead and reports it once
    /// through <see cref="Warning"/> (or the ML.NET log, or standard error); false throws
    /// <see cref="InvalidOperationException"/>.
    /// </summary>
    public bool FallbackToCpu { get; set; } = true;

    /// <summary>
    /// Threads ONNX Runtime may use inside one operator; 0 lets it choose (one per core). The default, 1, suits
    /// generation, a loop of small sequential steps where a thread pool costs more than it gains.
    /// </summary>
    public int IntraOpThreads { get; set; } = 1;

    /// <summary>Receives the warning when CUDA falls back to the CPU.</summary>
    public Action<string>? Warning { get; set; }
}
