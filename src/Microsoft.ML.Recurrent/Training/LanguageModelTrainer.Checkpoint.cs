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
        // Carried states as whole [B, H] arrays, whatever the shard count, so a checkpoint resumes on any thread count.
        for (int l = 0; l < Network.Shape.Layers; l++)
        {
            NetworkSerializer.WriteFloats(w, [.. _shards.SelectMany(s => s.States[l].H)]);
            NetworkSerializer.WriteFloats(w, [.. _shards.SelectMany(s => s.States[l].C)]);
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
            for (int l = 0; l < Network.Shape.Layers; l++)
            {
                ReadSplit(r, _shards.Select(s => s.States[l].H));
                ReadSplit(r, _shards.Select(s => s.States[l].C));
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

    private static void ReadExactly(BinaryReader r, float[] destination) => ReadSplit(r, [destination]);

    // One saved array into consecutive destinations (the shards' parts of a [B, H] state).
    private static void ReadSplit(BinaryReader r, IEnumerable<float[]> destinations)
    {
        var values = NetworkSerializer.ReadFloats(r, "training checkpoint");
        int offset = 0;
        foreach (var d in destinations)
        {
            if (offset + d.Length > values.Length) break;
            values.AsSpan(offset, d.Length).CopyTo(d);
            offset += d.Length;
        }
        if (offset != values.Length || destinations.Sum(d => d.Length) != values.Length)
            throw new InvalidDataException($"a saved buffer holds {values.Length} values instead of {destinations.Sum(d => d.Length)}");
    }
}
