using Xunit;

namespace Microsoft.ML.Recurrent.Tests.Training;

public class ConsoleStopRequestTests
{
    private static TrainingProgress Step(int iteration) => new() { Iteration = iteration, TrainLoss = 1, CharsPerSecond = 1, Elapsed = TimeSpan.FromSeconds(iteration) };

    [Fact]
    public void Run_returns_the_model_with_a_live_token_and_ends_the_live_line()
    {
        var text = new StringWriter();
        var progress = new ConsoleTrainingProgress(text, interactive: true);
        var (model, stopped) = ConsoleStopRequest.Run(progress, token =>
        {
            Assert.False(token.IsCancellationRequested);
            Assert.True(token.CanBeCanceled);
            progress.Report(Step(10));
            return "model";
        });
        Assert.Equal("model", model);
        Assert.False(stopped);
        Assert.EndsWith("\n", text.ToString()); // the status line was ended, so what follows starts a line
    }

    [Fact]
    public void Run_ends_the_live_line_when_training_throws()
    {
        var text = new StringWriter();
        var progress = new ConsoleTrainingProgress(text, interactive: true);
        var e = Assert.Throws<InvalidOperationException>(() => ConsoleStopRequest.Run<string>(progress, _ =>
        {
            progress.Report(Step(10));
            throw new InvalidOperationException("bad data");
        }));
        Assert.Equal("bad data", e.Message);
        Assert.EndsWith("\n", text.ToString());
    }

    [Fact]
    public void Run_names_a_missing_argument()
    {
        Assert.Equal("progress", Assert.Throws<ArgumentNullException>(() => ConsoleStopRequest.Run(null!, _ => 1)).ParamName);
        Assert.Equal("train", Assert.Throws<ArgumentNullException>(() => ConsoleStopRequest.Run<int>(new ConsoleTrainingProgress(new StringWriter()), null!)).ParamName);
    }
}
