using System.Text;
using Microsoft.ML.Recurrent.Layers;

namespace Microsoft.ML.Recurrent.Persistence;

/// <summary>
/// Reads back, in order, the sections a <see cref="ModelWriter"/> wrote. Version 1 files have no section
/// framing (the same fields back to back) and their weights are one flat array: this reader serves both, so
/// a model's reading code is written once.
/// </summary>
internal sealed class ModelReader(BinaryReader payload, int version, string what, string source)
{
    /// <summary>The format version of the container.</summary>
    public int Version { get; } = version;

    /// <summary>Reads section <paramref name="name"/> with <paramref name="read"/>, which must consume all of it.</summary>
    public T Section<T>(string name, Func<BinaryReader, T> read)
    {
        if (Version == 1) return read(payload);
        string stored = payload.ReadString();
        if (stored != name) throw Corrupt($"section '{name}' was expected but '{stored}' was found");
        long length = payload.ReadInt64();
        if (length < 0) throw Corrupt($"section '{name}' declares {length} bytes");
        EnsureRemaining(length);
        using var section = new BinaryReader(new MemoryStream(payload.ReadBytes((int)length), writable: false), Encoding.UTF8);
        T value = read(section);
        if (section.BaseStream.Position != length)
            throw Corrupt($"section '{name}' holds {length - section.BaseStream.Position} bytes more than this library reads");
        return value;
    }

    /// <summary>
    /// Fills <paramref name="store"/> in its arena order: each stored parameter's shape must be the one the
    /// rebuilt network declares, and every weight finite.
    /// </summary>
    public void Parameters(ParameterStore store) => Section(ModelWriter.ParametersSection, r =>
    {
        if (Version == 1)
        {
            // Version 1: one flat array in the same order, its length the only check.
            int count = r.ReadInt32();
            if (count != store.Count) throw Corrupt($"it declares {count} weights but its shape needs {store.Count}");
            BinaryArrays.ReadFloatsInto(r, store.Values);
        }
        else
        {
            int count = r.ReadInt32();
            if (count != store.Parameters.Count) throw Corrupt($"it holds {count} parameters but its shape has {store.Parameters.Count}");
            for (int i = 0; i < count; i++)
            {
                var p = store.Parameters[i];
                int rows = r.ReadInt32(), cols = r.ReadInt32();
                if (rows != p.Rows || cols != p.Cols)
                    throw Corrupt($"parameter {i} ('{p.Name}') is [{rows}, {cols}] in the file but [{p.Rows}, {p.Cols}] in the network its shape describes");
                BinaryArrays.ReadFloatsInto(r, p.Value);
            }
        }
        foreach (float v in store.Values)
            if (!float.IsFinite(v)) throw Corrupt("it holds non-finite weights");
        return 0;
    });

    /// <summary>Fails unless <paramref name="bytes"/> more bytes are left: vets sizes read from the file before allocating from them.</summary>
    public void EnsureRemaining(long bytes)
    {
        long left = payload.BaseStream.Length - payload.BaseStream.Position;
        if (bytes > left) throw Corrupt($"its shape needs {bytes} more bytes but {left} are left");
    }

    /// <summary>Fails if anything follows the last section read.</summary>
    public void End()
    {
        long left = payload.BaseStream.Length - payload.BaseStream.Position;
        if (left != 0) throw Corrupt($"{left} bytes follow its last section");
    }

    /// <summary>An exception naming the model, its source and <paramref name="problem"/>.</summary>
    public InvalidDataException Corrupt(string problem, Exception? inner = null)
        => new($"The {what} in {source} is corrupt: {problem.TrimEnd('.')}.", inner);
}
