namespace Microsoft.ML.Recurrent;

/// <summary>
/// Ctrl+C as a request to stop training and keep the work, for command-line trainers: the first press keeps the
/// process, ends the live progress line, says what happens and cancels <see cref="Token"/> (give it to
/// <see cref="RecurrentTrainerOptions.StopToken"/>, and training evaluates, checkpoints and returns the model so far);
/// a second press ends the process as usual. Disposing stops listening.
/// </summary>
public sealed class ConsoleStopRequest : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly ConsoleTrainingProgress? _progress;
    private readonly TextWriter _writer;

    /// <summary>Listens for Ctrl+C from now on.</summary>
    /// <param name="progress">The live line to end before the message (so the message does not land on it), or null.</param>
    /// <param name="writer">Where the message goes (default: the console).</param>
    public ConsoleStopRequest(ConsoleTrainingProgress? progress = null, TextWriter? writer = null)
    {
        _progress = progress;
        _writer = writer ?? Console.Out;
        Console.CancelKeyPress += OnCancelKeyPress;
    }

    /// <summary>
    /// The line a command-line trainer prints before training: what Ctrl+C does, and where the checkpoint goes when
    /// <paramref name="checkpointPath"/> is given.
    /// </summary>
    public static string Explanation(string? checkpointPath) => checkpointPath is null
        ? "Ctrl+C stops training and saves the model so far (with --checkpoint FILE it can also resume)."
        : $"Checkpoint: {checkpointPath} (resumed from when it exists). Ctrl+C stops training and saves the model and the checkpoint.";

    /// <summary>
    /// Runs <paramref name="train"/> with Ctrl+C as a stop request: the token it is given is cancelled at the first
    /// press. Whatever happens, it then stops listening (from then on Ctrl+C ends the process as usual)
    /// and ends <paramref name="progress"/>'s live line, so that what the trainer prints next starts on a line of its own.
    /// </summary>
    /// <param name="progress">The live progress line the trainer reports to.</param>
    /// <param name="train">Trains with the stop token (give it to <see cref="RecurrentTrainerOptions.StopToken"/>) and returns the model.</param>
    /// <returns>The model, and whether Ctrl+C stopped training early (the model is then the one so far).</returns>
    public static (T Result, bool Stopped) Run<T>(ConsoleTrainingProgress progress, Func<CancellationToken, T> train)
    {
        ArgumentNullException.ThrowIfNull(progress);
        ArgumentNullException.ThrowIfNull(train);
        var stop = new ConsoleStopRequest(progress);
        try
        {
            var result = train(stop.Token);
            return (result, stop.IsRequested);
        }
        finally
        {
            stop.Dispose();
            progress.Complete();
        }
    }

    /// <summary>Cancelled at the first Ctrl+C.</summary>
    public CancellationToken Token => _stop.Token;

    /// <summary>Whether Ctrl+C was pressed: training stopped early because of it.</summary>
    public bool IsRequested => _stop.IsCancellationRequested;

    /// <summary>Stops listening for Ctrl+C.</summary>
    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancelKeyPress;
        _stop.Dispose();
    }

    private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
    {
        if (_stop.IsCancellationRequested) return; // the second press: let the process end
        e.Cancel = true;
        _progress?.Complete();
        _writer.WriteLine("Ctrl+C: stopping after this iteration to evaluate and save (press it again to quit without saving).");
        _stop.Cancel();
    }
}
