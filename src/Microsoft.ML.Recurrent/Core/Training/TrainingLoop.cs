using System.Diagnostics;
using Microsoft.ML.Recurrent.Numerics;

namespace Microsoft.ML.Recurrent.Training;

/// <summary>
/// The one training loop under every task (shaped like ML.NET's <c>TorchSharpBaseTrainer</c>): the task supplies its
/// batches and their forward/backward (<see cref="ITrainingTask"/>); the loop stops by epochs, iterations or a time
/// budget, clamps and clips the gradients, stops on divergence before a non-finite update is applied, validates every
/// N iterations or every epoch, keeps the best parameters, stops early, writes checkpoints and resumes from them
/// exactly (an interrupted and resumed run ends with the same parameters as an uninterrupted one), reports progress
/// and honours cancellation.
/// </summary>
internal sealed partial class TrainingLoop
{
    private const double Smoothing = 0.98;

    private readonly ITrainingTask _task;
    private readonly RecurrentTrainerOptions _options;
    private readonly ulong _taskFingerprint;
    private readonly string _settings;
    private int? _resumedAt;
    private bool _stopRequested; // RecurrentTrainerOptions.StopToken as last read
    private int _batchesPerEpoch = -1;

    // The state a checkpoint saves (with the task's own).
    private readonly Optimizer _optimizer;
    private int _iteration, _epoch, _batch;
    private int _batches = -1; // batches of the current epoch; −1 until the epoch has begun
    private float _learningRate;
    private double _smoothLoss = double.NaN, _bestCriterion = double.NaN, _bestLoss = double.NaN;
    private int _sinceBest;
    private bool _stoppedEarly;
    private float[]? _bestParameters;
    private TimeSpan _trainingTime;

    /// <param name="task">What is trained.</param>
    /// <param name="options">The shared settings (validated by the caller).</param>
    public TrainingLoop(ITrainingTask task, RecurrentTrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(options);
        _task = task;
        _options = options;
        _optimizer = Optimizer.Create(options.Optimizer, task.Parameters.Count);
        _learningRate = options.LearningRate;
        _taskFingerprint = task.Fingerprint;
        _settings = options.TrajectorySettings();
    }

    /// <summary>Minibatch updates done.</summary>
    public int Iterations => _iteration;
    /// <summary>Passes over the training data done (fractional).</summary>
    public double Epochs => _epoch + (_batches > 0 ? (double)_batch / _batches : 0);
    /// <summary>
    /// The best validation criterion seen (the loss, or the negated or plain selection metric; see
    /// <see cref="ValidationResult.Criterion"/>), when there is validation data.
    /// </summary>
    public double? BestValidationCriterion => double.IsNaN(_bestCriterion) ? null : _bestCriterion;
    /// <summary>Validation loss at the latest evaluation.</summary>
    public double? LastValidationLoss { get; private set; }
    /// <summary>Whether training stopped because the validation criterion (the loss or the selection metric) stopped improving.</summary>
    public bool StoppedEarly => _stoppedEarly;
    /// <summary>Training time so far, over all sessions of a resumed run.</summary>
    public TimeSpan TrainingTime => _trainingTime;
    /// <summary>The optimizer and its moments.</summary>
    public Optimizer Optimizer => _optimizer;
    /// <summary>
    /// Test hook: sees every iteration's gradients (with the iteration) before they are clipped, in every loop run on
    /// this thread, so a test can inject a divergence into any task through its public entry point.
    /// </summary>
    [ThreadStatic]
    internal static Action<int, float[]>? GradientHook;

    /// <summary>
    /// Applies <see cref="RecurrentTrainerOptions.NumberOfThreads"/> to the calling thread until disposed; wrap the
    /// task's construction and the run in it, since a task may size its thread shards when it is built.
    /// </summary>
    public static KernelSettings.Scope UseThreads(RecurrentTrainerOptions options) => KernelSettings.Override(maxThreads: options.NumberOfThreads);

    /// <summary>Trains until a stopping rule holds; resumes from the options' checkpoint when one exists.</summary>
    /// <param name="progress">Receives progress reports (besides <see cref="RecurrentTrainerOptions.Progress"/>).</param>
    /// <param name="log">Receives one line at the start, at a resume and at every evaluation.</param>
    /// <param name="cancellationToken">Checked before every batch; the last checkpoint stays. (<see cref="RecurrentTrainerOptions.StopToken"/> stops and keeps the work.)</param>
    public void Run(IProgress<TrainingProgress>? progress, Action<string>? log, CancellationToken cancellationToken)
    {
        var o = _options;
        if (o.CheckpointPath != null && File.Exists(o.CheckpointPath))
        {
            RestoreCheckpoint(o.CheckpointPath);
            _resumedAt = _iteration;
            log?.Invoke($"Resumed from checkpoint '{o.CheckpointPath}' at iteration {_iteration}.");
        }
        var sinks = new[] { progress, o.Progress }.OfType<IProgress<TrainingProgress>>().Distinct().ToArray();
        log?.Invoke(_task.Description);
        var clock = new Stopwatch();
        double countThisRun = 0;
        var sessionStart = _trainingTime;
        _stopRequested = o.StopToken.IsCancellationRequested;
        while (!ShouldStop())
        {
            cancellationToken.ThrowIfCancellationRequested();
            clock.Restart();
            var (loss, count, epochEnded) = Step();
            _trainingTime += clock.Elapsed;
            countThisRun += count;
            _smoothLoss = double.IsNaN(_smoothLoss) ? loss : Smoothing * _smoothLoss + (1 - Smoothing) * loss;

            // Read once an iteration, so a stop requested at any moment gets this iteration's evaluation (and checkpoint).
            _stopRequested = o.StopToken.IsCancellationRequested;
            bool stopping = ShouldStop();
            double perSecond = countThisRun / Math.Max((_trainingTime - sessionStart).TotalSeconds, 1e-9);
            if ((o.EvaluateEvery is int every ? _iteration % every == 0 : epochEnded) || stopping)
                Evaluate(sinks, log, perSecond);
            else if (_iteration % o.ReportEvery == 0)
                Report(sinks, Progress(null, null, perSecond));
        }
        if (o.KeepBest && _bestParameters != null) _bestParameters.CopyTo(_task.Parameters.Values, 0);
    }

    /// <summary>
    /// One minibatch update: the task's forward and backward, clamping, the divergence check, global-norm clipping and
    /// the optimizer step. Returns the batch's mean loss before the update, what it was counted over, and whether the
    /// batch ended an epoch. Throws, with nothing updated, when the loss or the gradient is not finite.
    /// </summary>
    internal (double Loss, double Count, bool EpochEnded) Step()
    {
        var o = _options;
        if (_batches < 0)
        {
            _batches = _task.BeginEpoch(_epoch);
            if (_batches < 1) throw new InvalidOperationException($"Epoch {_epoch + 1} has no batches: the training data is smaller than one batch.");
            _batchesPerEpoch = _batches;
        }
        var (lossSum, count) = _task.TrainBatch(_batch, _iteration);
        double loss = lossSum / count;
        if (!double.IsFinite(loss)) throw Diverged(_iteration + 1, $"the training loss is {loss}");

        var gradients = _task.Parameters.Gradients;
        GradientHook?.Invoke(_iteration, gradients);
        // Clamped and measured in one pass; NaN stays NaN, so the norm still sees it.
        double norm = Math.Sqrt(o.GradientClip > 0 ? VectorKernels.ClampAndSumOfSquares(gradients, o.GradientClip) : VectorKernels.SumOfSquares(gradients));
        if (!double.IsFinite(norm)) throw Diverged(_iteration + 1, $"the gradient norm is {norm}");
        if (o.MaxGradientNorm > 0 && norm > o.MaxGradientNorm) VectorKernels.Scale(gradients, (float)(o.MaxGradientNorm / norm));
        _optimizer.Step(_task.Parameters.Values, gradients, _learningRate);

        _iteration++;
        bool epochEnded = ++_batch == _batches;
        if (epochEnded)
        {
            _batch = 0;
            _batches = -1;
            _epoch++;
            _learningRate = _task.EndEpoch(_epoch, _learningRate);
        }
        return (loss, count, epochEnded);
    }

    private bool ShouldStop() =>
        _stoppedEarly ||
        _iteration >= _options.MaxIterations ||
        Epochs >= _options.MaxEpochs ||
        _trainingTime >= _options.TimeBudget ||
        _stopRequested;

    // Validation, keep-best, early stopping, the checkpoint, the report; in that order, so a checkpoint holds all of it.
    private void Evaluate(IProgress<TrainingProgress>[] sinks, Action<string>? log, double perSecond)
    {
        var validation = _task.Validate();
        if (validation is { } result)
        {
            if (!double.IsFinite(result.Loss)) throw Diverged(_iteration, $"the validation loss is {result.Loss}");
            LastValidationLoss = result.Loss;
            // Ties on the criterion go to the lower loss: a BLEU still 0 before any 4-gram matches is not a plateau.
            double criterion = result.Criterion;
            if (double.IsNaN(_bestCriterion) || criterion < _bestCriterion || (criterion == _bestCriterion && result.Loss < _bestLoss))
            {
                _bestCriterion = criterion;
                _bestLoss = result.Loss;
                _bestParameters ??= new float[_task.Parameters.Count];
                _task.Parameters.Values.CopyTo(_bestParameters, 0);
                _sinceBest = 0;
            }
            else
            {
                _learningRate *= _options.LearningRateDecayOnPlateau;
                if (_options.Patience is int patience && ++_sinceBest >= patience) _stoppedEarly = true;
            }
        }
        if (_options.CheckpointPath != null)
        {
            // A finite gradient can still overflow a parameter; such a state must not replace the last good checkpoint.
            if (!double.IsFinite(VectorKernels.SumOfSquares(_task.Parameters.Values))) throw Diverged(_iteration, "a parameter is not finite");
            SaveCheckpoint(_options.CheckpointPath);
        }
        var report = Progress(validation, _task.Sample(), perSecond);
        log?.Invoke($"iteration {report.Iteration}, epoch {report.Epoch:F2}: train loss {report.TrainLoss:F4}" +
                    (report.ValidationLoss is double vl ? $", validation loss {vl:F4}" : "") +
                    (report.ValidationAccuracy is double va ? $", accuracy {va:P2}" : "") +
                    (validation?.Selection is { } s ? $", {s.Name} {s.Value:G4}" : "") +
                    $", {perSecond:N0}/s, {_trainingTime.TotalSeconds:F1} s" +
                    (_stoppedEarly ? $"; stopping early: no better validation {validation?.CriterionName} in {_sinceBest} evaluations" : ""));
        Report(sinks, report);
    }

    private static void Report(IProgress<TrainingProgress>[] sinks, TrainingProgress report)
    {
        foreach (var sink in sinks) sink.Report(report);
    }

    private TrainingProgress Progress(ValidationResult? validation, string? sample, double perSecond)
    {
        var o = _options;
        double secondsPerIteration = _trainingTime.TotalSeconds / Math.Max(_iteration, 1);
        var left = new List<double>();
        if (o.MaxIterations is int mi) left.Add((mi - _iteration) * secondsPerIteration);
        if (o.MaxEpochs is double me && _batchesPerEpoch > 0) left.Add((me - Epochs) * _batchesPerEpoch * secondsPerIteration);
        if (o.TimeBudget is TimeSpan tb) left.Add((tb - _trainingTime).TotalSeconds);
        return new TrainingProgress
        {
            Iteration = _iteration,
            Epoch = Epochs,
            TrainLoss = _smoothLoss,
            ValidationLoss = validation?.Loss,
            ValidationAccuracy = validation?.Accuracy,
            ValidationMetric = validation?.Selection?.Value,
            ValidationMetricName = validation?.Selection?.Name,
            CharsPerSecond = perSecond,
            Elapsed = _trainingTime,
            Remaining = left.Count > 0 ? TimeSpan.FromSeconds(Math.Max(0, left.Min())) : null,
            Sample = sample,
            ResumedAtIteration = _resumedAt,
        };
    }

    private InvalidOperationException Diverged(int iteration, string what) => new(
        $"Training diverged at iteration {iteration}: {what}. Lower the learning rate or enable clipping." +
        (_options.CheckpointPath != null ? $" The last good checkpoint '{_options.CheckpointPath}' is intact." : ""));
}
