using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.ML.Recurrent.Models;

namespace Microsoft.ML.Recurrent.Training;

internal sealed partial class LanguageModelTrainer
{
    private const string CheckpointMagic = "MLRNNCK1";

    /// <summary>Identifies the text and every option that shapes the trajectory (not the stopping rules).</summary>
    private static ulong Fingerprint(int[] ids, CharLanguageModelOptions o)
    {
        var hash = new XxHash64();
        hash.Append(MemoryMarshal.AsBytes(ids.AsSpan()));
        hash.Append(Encoding.UTF8.GetBytes(string.Join('|', o.Cell, o.HiddenSize, o.Layers, o.Dropout, o.BatchSize, o.SequenceLength,
            o.Optimizer, o.LearningRate, o.LearningRateDecay, o.DecayAfterEpoch, o.GradientClip, o.MaxGradientNorm, o.ValidationFraction,
            o.Seed, o.Initialization, o.InitScale, o.SumLoss)));
        return hash.GetCurrentHashAsUInt64();
    }

    private void SaveCheckpoint(string path) => ModelFile.WriteAtomic(path, CheckpointMagic, w =>
    {
        w.Write(_fingerprint);
        NetworkSerializer.Write(w, Vocabulary, Network);
        w.Write((int)_options.Optimizer);
        w.Write(_optimizer.Steps);
        foreach (var buffer in _optimizer.State) NetworkSerializer.WriteFloats(w, buffer);
        foreach (uint word in _dropoutRandom.GetState()) w.Write(word);
        foreach (var s in _states)
        {
            NetworkSerializer.WriteFloats(w, s.H);
            NetworkSerializer.WriteFloats(w, s.C);
        }
        w.Write(_iteration);
        w.Write(_chunk);
        w.Write(_epoch);
        w.Write(_learningRate);
        w.Write(_smoothLoss);
        w.Write(_bestValidationLoss);
        NetworkSerializer.WriteFloats(w, _bestParameters ?? []);
        w.Write(_trainingTime.Ticks);
    });

    private void RestoreCheckpoint(string path)
    {
        const string what = "training checkpoint";
        using var r = ModelFile.OpenVerified(path, CheckpointMagic, what);
        try
        {
            if (r.ReadUInt64() != _fingerprint)
                throw new InvalidOperationException(
                    $"The checkpoint '{path}' was written for a different text or different training options; delete it or choose another CheckpointPath.");
            var (_, network) = NetworkSerializer.Read(r, what);
            network.Parameters.Values.CopyTo(Network.Parameters.Values, 0);
            if (r.ReadInt32() != (int)_options.Optimizer) throw new InvalidDataException("optimizer mismatch");
            _optimizer.Steps = r.ReadInt64();
            foreach (var buffer in _optimizer.State) ReadExactly(r, buffer);
            _dropoutRandom.SetState([r.ReadUInt32(), r.ReadUInt32(), r.ReadUInt32(), r.ReadUInt32()]);
            foreach (var s in _states)
            {
                ReadExactly(r, s.H);
                ReadExactly(r, s.C);
            }
            _iteration = r.ReadInt32();
            _chunk = r.ReadInt32();
            _epoch = r.ReadInt32();
            _learningRate = r.ReadSingle();
            _smoothLoss = r.ReadDouble();
            _bestValidationLoss = r.ReadDouble();
            var best = NetworkSerializer.ReadFloats(r, what);
            _bestParameters = best.Length == 0 ? null : best.Length == Network.Parameters.Count ? best : throw new InvalidDataException("best-weights size mismatch");
            _trainingTime = TimeSpan.FromTicks(r.ReadInt64());
            if (_iteration < 0 || _chunk < 0 || _chunk >= _streams.Chunks || _epoch < 0 || _trainingTime < TimeSpan.Zero)
                throw new InvalidDataException("position out of range");
        }
        catch (Exception e) when (e is EndOfStreamException or ArgumentException)
        {
            throw new InvalidDataException($"The {what} '{path}' is corrupt: {e.Message}", e);
        }
        catch (InvalidDataException e) when (!e.Message.Contains(path, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"The {what} '{path}' is corrupt: {e.Message}", e);
        }
    }

    private static void ReadExactly(BinaryReader r, float[] destination)
    {
        var values = NetworkSerializer.ReadFloats(r, "training checkpoint");
        if (values.Length != destination.Length) throw new InvalidDataException($"a buffer holds {values.Length} values instead of {destination.Length}");
        values.CopyTo(destination, 0);
    }
}
