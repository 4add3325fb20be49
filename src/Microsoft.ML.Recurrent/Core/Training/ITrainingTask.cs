using Microsoft.ML.Recurrent.Layers;

namespace Microsoft.ML.Recurrent.Training;

/// <summary>
/// What a task supplies to <see cref="TrainingLoop"/>: its parameters, its batches and their forward/backward,
/// its validation, and whatever state of its own a checkpoint must carry. The loop owns everything else
/// (stopping, clipping, divergence, the update, validation schedule, keep-best, early stopping, checkpoints, progress).
/// </summary>
internal interface ITrainingTask
{
    /// <summary>The trained parameters; the loop reads their gradients after every batch and updates their values.</summary>
    ParameterStore Parameters { get; }

    /// <summary>One line describing the run (model size, data), logged when training starts.</summary>
    string Description { get; }

    /// <summary>
    /// Identifies the data and every task option that shapes the trajectory, so a checkpoint of another run is refused
    /// (the loop adds the shared options).
    /// </summary>
    ulong Fingerprint { get; }

    /// <summary>
    /// Prepares epoch <paramref name="epoch"/> (0-based; shuffles its batch order) and returns its number of batches.
    /// It must draw its random numbers only here and in a fixed order, because a resumed run replays it for every
    /// epoch up to the checkpoint's to reach the same batch order.
    /// </summary>
    int BeginEpoch(int epoch);

    /// <summary>
    /// Forward and backward of batch <paramref name="batch"/> of the current epoch, the gradients written (not added)
    /// into <see cref="Parameters"/>; returns the loss summed over the batch and what it is counted in (characters,
    /// words, sequences). A non-finite loss may skip the backward: the loop stops on it.
    /// </summary>
    (double LossSum, double Count) TrainBatch(int batch, int iteration);

    /// <summary>
    /// Called after the last batch of an epoch (<paramref name="epochsDone"/> counts it); returns the learning rate for
    /// the next epoch (a schedule's decay) given the current one.
    /// </summary>
    float EndEpoch(int epochsDone, float learningRate);

    /// <summary>What validation measured (the loss, an accuracy, a metric to select on), or null when the task has no validation data.</summary>
    ValidationResult? Validate();

    /// <summary>Something to show in the progress report of an evaluation (a sampled text), or null.</summary>
    string? Sample();

    /// <summary>Writes the task's own training state (e.g. carried recurrent states) into a checkpoint.</summary>
    void WriteState(BinaryWriter writer);

    /// <summary>Reads what <see cref="WriteState"/> wrote.</summary>
    void ReadState(BinaryReader reader);
}
