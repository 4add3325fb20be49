using System.Runtime.InteropServices;
using System.Text;
using Microsoft.ML.Recurrent.Layers;

namespace Microsoft.ML.Recurrent.Persistence;

/// <summary>
/// Writes a model's payload as named, length-prefixed sections (format version 2), read back in the same
/// order by <see cref="ModelReader"/>: a reader that misreads one section is stopped at its boundary with the
/// section's name, instead of reading the next one's bytes as numbers.
/// </summary>
internal sealed class ModelWriter(BinaryWriter payload)
{
    /// <summary>The name of the section <see cref="Parameters"/> writes.</summary>
    public const string ParametersSection = "parameters";

    /// <summary>One section: its name, its length, then what <paramref name="write"/> writes.</summary>
    public void Section(string name, Action<BinaryWriter> write)
    {
        var section = new MemoryStream();
        using (var w = new BinaryWriter(section, Encoding.UTF8, leaveOpen: true)) write(w);
        payload.Write(name);
        payload.Write(section.Length);
        payload.Write(section.GetBuffer().AsSpan(0, (int)section.Length));
    }

    /// <summary>Every parameter in the store's (arena) order, each with its [rows, cols] shape, so a reader checks it against the network it rebuilt.</summary>
    public void Parameters(ParameterStore store) => Section(ParametersSection, w =>
    {
        w.Write(store.Parameters.Count);
        foreach (var p in store.Parameters)
        {
            w.Write(p.Rows);
            w.Write(p.Cols);
            w.Write(MemoryMarshal.AsBytes((ReadOnlySpan<float>)p.Value));
        }
    });
}
