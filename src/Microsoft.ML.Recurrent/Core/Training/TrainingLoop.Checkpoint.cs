using Microsoft.ML.Recurrent.Persistence;

namespace Microsoft.ML.Recurrent.Training;

internal sealed partial class TrainingLoop
{
    private const string CheckpointMagic = "MLRNNCK2";
    private const string What = "training checkpoint";
    // Version 2 stores the task's fingerprint and the shared settings apart, so a refusal can say what differs; version 3
    // adds the best evaluation's loss, which breaks ties on a selection metric.
    private const int CheckpointVersion = 3;

    // Everything that shapes the rest of the trajectory; the batch order of the current epoch is not saved but
    // replayed from the task's seed (ITrainingTask.BeginEpoch), so the file does not grow with the data set.
    private void SaveCheckpoint(string path) => ModelFile.WriteAtomic(path, CheckpointMagic, CheckpointVersion, w =>
    {
        w.Write(_taskFingerprint);
        w.Write(_settings);
        BinaryArrays.WriteFloats(w, _task.Parameters.Values);
        w.Write((int)_options.Optimizer);
        w.Write(_optimizer.Steps);
        foreach (var buffer in _optimizer.State) BinaryArrays.WriteFloats(w, buffer);
        w.Write(_iteration);
        w.Write(_epoch);
        w.Write(_batch);
        w.Write(_learningRate);
        w.Write(_smoothLoss);
        w.Write(_bestCriterion);
        w.Write(_bestLoss);
        w.Write(_sinceBest);
        w.Write(_stoppedEarly);
        BinaryArrays.WriteFloats(w, _bestParameters ?? []);
        w.Write(_trainingTime.Ticks);
        _task.WriteState(w);
    });

    private void RestoreCheckpoint(string path)
    {
        var (version, payload) = ModelFile.OpenVerified(path, CheckpointMagic, What, CheckpointVersion);
        using var r = payload;
        if (version < CheckpointVersion)
            throw new InvalidOperationException(
                $"The checkpoint '{path}' was written by an earlier version of this library and cannot be resumed; delete the file or choose another checkpoint path.");
        try
        {
            ulong task = r.ReadUInt64();
            string settings = r.ReadString();
            if (task != _taskFingerprint || settings != _settings) throw Mismatch(path, task != _taskFingerprint, settings);
            ReadExactly(r, _task.Parameters.Values);
            if (r.ReadInt32() != (int)_options.Optimizer) throw new InvalidDataException("optimizer mismatch");
            _optimizer.Steps = r.ReadInt64();
            foreach (var buffer in _optimizer.State) ReadExactly(r, buffer);
            _iteration = r.ReadInt32();
            _epoch = r.ReadInt32();
            _batch = r.ReadInt32();
            _learningRate = r.ReadSingle();
            _smoothLoss = r.ReadDouble();
            _bestCriterion = r.ReadDouble();
            _bestLoss = r.ReadDouble();
            _sinceBest = r.ReadInt32();
            _stoppedEarly = r.ReadBoolean();
            var best = BinaryArrays.ReadFloats(r, What);
            _bestParameters = best.Length == 0 ? null : best.Length == _task.Parameters.Count ? best : throw new InvalidDataException("best-weights size mismatch");
            _trainingTime = TimeSpan.FromTicks(r.ReadInt64());
            _task.ReadState(r);
            if (_iteration < 0 || _epoch < 0 || _batch < 0 || _sinceBest < 0 || _trainingTime < TimeSpan.Zero)
                throw new InvalidDataException("position out of range");
            ReplayEpochs();
        }
        catch (Exception e) when (e is EndOfStreamException or ArgumentException)
        {
            throw new InvalidDataException($"The {What} '{path}' is corrupt: {e.Message}", e);
        }
        catch (InvalidDataException e) when (!e.Message.Contains(path, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"The {What} '{path}' is corrupt: {e.Message}", e);
        }
    }

    // Names what differs: the task's fingerprint covers its data and its own options together; the shared settings one by one.
    private InvalidOperationException Mismatch(string path, bool taskDiffers, string saved)
    {
        var now = _settings.Split('|');
        var then = saved.Split('|');
        var differences = new List<string>();
        if (taskDiffers) differences.Add("different training data or task options");
        if (then.Length != now.Length) differences.Add($"other settings ({saved})");
        else differences.AddRange(now.Zip(then).Where(p => p.First != p.Second)
            .Select(p => $"{p.Second.Replace('=', ' ')}, now {p.First[(p.First.IndexOf('=') + 1)..]}"));
        return new InvalidOperationException(
            $"The checkpoint '{path}' belongs to another run ({string.Join("; ", differences)}); delete the file or choose another checkpoint path.");
    }

    // The task draws its batch orders from its own seeded generator, epoch after epoch: preparing every epoch up to the
    // checkpoint's again leaves it where the interrupted run was. An epoch not yet begun is begun by the next step.
    private void ReplayEpochs()
    {
        for (int e = 0; e < _epoch; e++) _batchesPerEpoch = _task.BeginEpoch(e);
        _batches = -1;
        if (_batch > 0)
        {
            _batches = _batchesPerEpoch = _task.BeginEpoch(_epoch);
            if (_batch >= _batches) throw new InvalidDataException("position out of range");
        }
    }

    private static void ReadExactly(BinaryReader r, float[] destination)
    {
        var values = BinaryArrays.ReadFloats(r, What);
        if (values.Length != destination.Length)
            throw new InvalidDataException($"a saved buffer holds {values.Length} values instead of {destination.Length}");
        values.CopyTo(destination, 0);
    }
}
