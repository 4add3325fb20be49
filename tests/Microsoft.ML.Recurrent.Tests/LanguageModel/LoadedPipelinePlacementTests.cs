using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Transforms.Onnx;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.MLNet;

/// <summary>A loaded pipeline runs where the loading MLContext says: its session options and its GpuDeviceId.</summary>
public sealed class LoadedPipelinePlacementTests : IDisposable
{
    public sealed class Line
    {
        public string Text { get; set; } = "";
    }

    public sealed class Continuation
    {
        public string Generated { get; set; } = "";
    }

    private readonly TestData.TempDirectory _folder = new();
    private readonly string _path;
    private readonly string _expected;

    public LoadedPipelinePlacementTests()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new Line { Text = string.Concat(Enumerable.Repeat("the cat sat on the mat. ", 150)) } });
        var model = ml.Transforms.Text.TrainCharLanguageModel("Generated", "Text", hiddenSize: 8, layers: 1, maxLength: 12, epochs: 1).Fit(data);
        _path = _folder.File("lm.zip");
        ml.Model.Save(model, data.Schema, _path);
        _expected = ml.Model.CreatePredictionEngine<Line, Continuation>(model).Predict(new Line { Text = "the " }).Generated;
    }

    [Fact]
    public void The_loading_contexts_session_options_create_the_session()
    {
        var loader = new MLContext();
        int created = 0;
        loader.SetOnnxSessionOption(new OnnxSessionOptions
        {
            CreateSessionOptions = () =>
            {
                Interlocked.Increment(ref created);
                return new SessionOptions { IntraOpNumThreads = 1 };
            },
        });
        var loaded = loader.Model.Load(_path, out _);
        string generated = loader.Model.CreatePredictionEngine<Line, Continuation>(loaded).Predict(new Line { Text = "the " }).Generated;
        Assert.True(created > 0, "the loaded OnnxTransformer did not ask the loading context for its session options");
        Assert.Equal(_expected, generated);
    }

    [Fact]
    public void The_loading_contexts_gpu_device_is_asked_for()
    {
        // The test project references ONNX Runtime's CPU package, which has no CUDA provider: a context that asks for
        // GPU 0 must reach for it when the pipeline loads. (ML.NET's FallbackToCpu catches only OnnxRuntimeException,
        // not this missing entry point, so with the CPU package a loading context must leave GpuDeviceId unset.)
        var loader = new MLContext { GpuDeviceId = 0, FallbackToCpu = false };
        var error = Assert.ThrowsAny<Exception>(() => loader.Model.Load(_path, out _));
        Assert.Contains("CUDA", error.ToString(), StringComparison.Ordinal);
    }

    public void Dispose() => _folder.Dispose();
}
