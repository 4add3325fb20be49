using Microsoft.ML.OnnxRuntime;

namespace Microsoft.ML.Recurrent.Onnx;

/// <summary>Where a graph runs, decided once: a factory of ONNX Runtime session options, and its description.</summary>
internal sealed record OnnxPlacement(Func<SessionOptions> CreateSessionOptions, string Device)
{
    /// <summary>An ONNX Runtime session for <paramref name="model"/> on this placement.</summary>
    public InferenceSession CreateSession(byte[] model)
    {
        using var options = CreateSessionOptions();
        return new InferenceSession(model, options);
    }
}

/// <summary>
/// Turns <see cref="OnnxExecutionOptions"/> into an <see cref="OnnxPlacement"/>. ONNX Runtime does not fall back
/// by itself: with the CPU package, asking for CUDA fails with <see cref="EntryPointNotFoundException"/>, and
/// with the GPU package but no usable CUDA, with <see cref="OnnxRuntimeException"/> when the provider or the
/// session is created. So CUDA is tried once, on the model itself, and the outcome decides.
/// </summary>
internal static class OnnxExecution
{
    public static OnnxPlacement Resolve(OnnxExecutionOptions? options, byte[] model, Action<string>? log)
    {
        options ??= new OnnxExecutionOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(options.IntraOpThreads, nameof(options.IntraOpThreads));
        var cpu = new OnnxPlacement(() => new SessionOptions { IntraOpNumThreads = options.IntraOpThreads }, "CPU");
        if (options.GpuDeviceId is not int device) return cpu;
        ArgumentOutOfRangeException.ThrowIfNegative(device, nameof(options.GpuDeviceId));

        SessionOptions Cuda()
        {
            var sessionOptions = SessionOptions.MakeSessionOptionWithCudaProvider(device);
            sessionOptions.IntraOpNumThreads = options.IntraOpThreads;
            return sessionOptions;
        }
        var cuda = new OnnxPlacement(Cuda, $"CUDA device {device}");
        try
        {
            cuda.CreateSession(model).Dispose();
            return cuda;
        }
        catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException or TypeInitializationException)
        {
            string reason = $"CUDA device {device} was requested for ONNX Runtime but cannot be used ({e.GetType().Name}: {e.Message.Trim()}). " +
                            "It needs the Microsoft.ML.OnnxRuntime.Gpu.Linux package (build with -p:OnnxRuntimeGpu=true) and CUDA 13 with cuDNN.";
            if (!options.FallbackToCpu)
                throw new InvalidOperationException(reason + " Set FallbackToCpu to run on the CPU instead.", e);
            string warning = reason + " Running on the CPU instead.";
            if (options.Warning != null) options.Warning(warning);
            else if (log != null) log(warning);
            else Console.Error.WriteLine("warning: " + warning);
            return cpu;
        }
    }
}
