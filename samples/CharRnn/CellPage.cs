using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.ML.Recurrent;

namespace CharRnn;

/// <summary>
/// The "look inside" page: a text coloured character by character by chosen cells' activations (red positive, blue
/// negative, white zero; hover shows the value), and the table of cells the automatic search ranked highest for each
/// feature of the text.
/// </summary>
internal static class CellPage
{
    /// <summary>A cell to colour the text by, and why it is shown.</summary>
    public sealed record Shown(ActivationKind Kind, int Layer, int Unit, string Why);

    public static void Write(string path, string title, LanguageModelActivations activations, IReadOnlyList<CellCorrelation> found, IReadOnlyList<Shown> shown)
    {
        var inv = CultureInfo.InvariantCulture;
        var data = new
        {
            text = activations.Characters,
            cells = shown.Select(s => new
            {
                id = Id(s.Kind, s.Layer, s.Unit),
                label = Label(s.Kind, s.Layer, s.Unit),
                why = s.Why,
                values = activations.Trace(s.Kind, s.Layer, s.Unit).Select(v => Math.Round(v, 3)),
                // A cell state is unbounded: a counter drifts (c from 5 to 15 on one text), which tanh(c) would show as
                // uniformly saturated, so it is coloured by its deviation from its mean, scaled by the largest one.
                centre = s.Kind == ActivationKind.Cell,
            }),
        };
        var rows = new StringBuilder();
        foreach (var group in found.GroupBy(c => c.Feature))
        {
            int rank = 0;
            foreach (var c in group)
            {
                rank++;
                string id = Id(c.Kind, c.Layer, c.Unit);
                string cell = shown.Any(s => Id(s.Kind, s.Layer, s.Unit) == id) ? $"<a href=\"#{id}\">{Label(c.Kind, c.Layer, c.Unit)}</a>" : Label(c.Kind, c.Layer, c.Unit);
                rows.Append(inv, $"<tr><td>{(rank == 1 ? WebUtility.HtmlEncode(c.Feature) : "")}</td><td>{rank}</td><td>{cell}</td><td class=\"r\">{c.Correlation:+0.000;−0.000}</td></tr>\n");
            }
        }
        string html = Template
            .Replace("{{title}}", WebUtility.HtmlEncode(title))
            .Replace("{{rows}}", rows.ToString())
            .Replace("{{data}}", JsonSerializer.Serialize(data));
        // Written beside the target and moved over it, so a page being viewed is never half-written.
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temporary = full + ".tmp";
        File.WriteAllText(temporary, html, new UTF8Encoding(false));
        File.Move(temporary, full, overwrite: true);
    }

    public static string Label(ActivationKind kind, int layer, int unit)
        => $"layer {layer + 1} unit {unit} {(kind == ActivationKind.Cell ? "cell state" : kind == ActivationKind.Hidden ? "hidden state" : kind.ToString())}";

    private static string Id(ActivationKind kind, int layer, int unit) => $"cell-{layer + 1}-{kind.ToString().ToLowerInvariant()}-{unit}";

    private const string Template = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>{{title}}</title>
        <style>
          body { font-family: system-ui, sans-serif; margin: 24px; color: #222; max-width: 1100px; }
          h1 { font-size: 22px; } h2 { font-size: 17px; margin: 28px 0 6px; } p.why { margin: 0 0 8px; color: #555; }
          table { border-collapse: collapse; font-size: 14px; } td, th { padding: 3px 10px; border-bottom: 1px solid #ddd; text-align: left; }
          td.r { font-family: ui-monospace, monospace; text-align: right; }
          pre { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 13px; line-height: 1.45; white-space: pre-wrap;
                border: 1px solid #ccc; padding: 8px; max-height: 420px; overflow-y: auto; margin: 0; }
          pre span:hover { outline: 1px solid #000; }
          .legend { display: flex; align-items: center; gap: 8px; font-size: 13px; margin: 4px 0 6px; }
          .legend .bar { width: 180px; height: 12px; background: linear-gradient(to right, rgb(60,110,230), #fff, rgb(230,60,50)); border: 1px solid #aaa; }
        </style></head>
        <body>
        <h1>{{title}}</h1>
        <p>Each character is coloured by a cell's activation after reading it: red positive, blue negative, white zero
        (a hidden state or gate as it is in [−1, 1]; a cell state c, which is unbounded, by its deviation from its mean on this
        text, scaled by the largest deviation). Hover over a character for the value.</p>
        <h2>Cells that follow a feature of the text (Pearson r over every character)</h2>
        <table><tr><th>feature</th><th>rank</th><th>cell</th><th>r</th></tr>
        {{rows}}</table>
        <div id="cells"></div>
        <script>
        const data = {{data}};
        const root = document.getElementById('cells');
        for (const cell of data.cells) {
          const h = document.createElement('h2'); h.id = cell.id; h.textContent = cell.label; root.appendChild(h);
          const why = document.createElement('p'); why.className = 'why'; why.textContent = cell.why; root.appendChild(why);
          const legend = document.createElement('div'); legend.className = 'legend';
          const mean = cell.centre ? cell.values.reduce((a, v) => a + v, 0) / cell.values.length : 0;
          const scale = cell.centre ? Math.max(1e-6, ...cell.values.map(v => Math.abs(v - mean))) : 1;
          legend.innerHTML = cell.centre
            ? `<span>c = ${(mean - scale).toFixed(2)}</span><span class="bar"></span><span>${(mean + scale).toFixed(2)} (mean ${mean.toFixed(2)})</span>`
            : '<span>−1</span><span class="bar"></span><span>+1</span>';
          root.appendChild(legend);
          const pre = document.createElement('pre');
          data.text.forEach((ch, t) => {
            const v = cell.values[t], shown = (v - mean) / scale, a = Math.min(1, Math.abs(shown));
            const span = document.createElement('span');
            span.textContent = ch === '\n' ? '\u21b5\n' : ch;
            const [r, g, b] = shown >= 0 ? [255 - 25 * a, 255 - 195 * a, 255 - 205 * a] : [255 - 195 * a, 255 - 145 * a, 255 - 25 * a];
            span.style.background = `rgb(${r | 0},${g | 0},${b | 0})`;
            span.title = `${cell.label}: ${v.toFixed(3)} after ${JSON.stringify(ch)}`;
            pre.appendChild(span);
          });
          root.appendChild(pre);
        }
        </script>
        </body></html>
        """;
}
