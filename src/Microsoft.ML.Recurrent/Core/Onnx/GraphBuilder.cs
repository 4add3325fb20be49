using System.Globalization;

namespace Microsoft.ML.Recurrent.Onnx;

/// <summary>
/// Appends nodes to a graph with fresh value names, and keeps constants as initializers of the root graph
/// (a Loop body reads them from the outer scope, as ONNX allows). Equal constants are shared. Subgraph
/// builders share the root's name counter, because ONNX forbids a subgraph name that shadows an outer one.
/// </summary>
internal sealed class GraphBuilder
{
    private readonly GraphBuilder? _root;
    private readonly Dictionary<string, string> _constants = [];
    private int _counter;

    public GraphBuilder(string name) => Graph = new GraphProto(name);

    private GraphBuilder(string name, GraphBuilder root) : this(name) => _root = root;

    public GraphProto Graph { get; }

    private GraphBuilder Root => _root ?? this;

    /// <summary>A builder for a subgraph (a Loop body) whose constants go to this builder's root.</summary>
    public GraphBuilder Subgraph(string name) => new(name, Root);

    /// <summary>A fresh value name starting with <paramref name="hint"/>.</summary>
    public string Fresh(string hint) => string.Create(CultureInfo.InvariantCulture, $"{hint}_{Root._counter++}");

    /// <summary>Adds a node with one output and returns that output's name.</summary>
    public string Add(string op, string[] inputs, params AttributeProto[] attributes) => AddNamed(op, inputs, Fresh(op), attributes);

    /// <summary>Adds a node whose single output gets the given name (a graph output, or a Loop body's).</summary>
    public string AddNamed(string op, string[] inputs, string output, params AttributeProto[] attributes)
        => AddMany(op, inputs, [output], attributes)[0];

    /// <summary>Adds a node with several (named) outputs.</summary>
    public string[] AddMany(string op, string[] inputs, string[] outputs, params AttributeProto[] attributes)
    {
        Graph.Nodes.Add(new NodeProto(op, Fresh(op + "_node"), inputs, outputs, attributes));
        return outputs;
    }

    /// <summary>
    /// Declares ML.NET slot names for the graph output <paramref name="output"/>. ML.NET's OnnxTransformer reads them
    /// from a node named <c>mlnet.{output}.SlotNames</c> with a <c>keys_strings</c> attribute, which is how ML.NET's own
    /// ONNX export writes them: an ai.onnx.ml LabelEncoder of a constant, whose result nothing reads.
    /// </summary>
    public void SlotNames(string output, string[] names)
    {
        string input = Initializer(TensorProto.Texts($"mlnet.{output}.unusedInput", [names[0]]));
        Graph.Nodes.Add(new NodeProto("LabelEncoder", $"mlnet.{output}.SlotNames", [input], [$"mlnet.{output}.unusedOutput"],
            [AttributeProto.Of("keys_strings", names), AttributeProto.Of("values_int64s", [.. Enumerable.Range(0, names.Length).Select(i => (long)i)])],
            ModelProto.MlDomain));
    }

    /// <summary>Adds a named weight initializer to the root graph.</summary>
    public string Initializer(TensorProto tensor)
    {
        Root.Graph.Initializers.Add(tensor);
        return tensor.Name;
    }

    /// <summary>A 1-D int64 constant (shared when equal).</summary>
    public string Int64s(params long[] values)
        => Constant("i64[" + string.Join(",", values) + "]", name => TensorProto.Int64s(name, [values.Length], values));

    /// <summary>A scalar int64 constant.</summary>
    public string Int64(long value) => Constant("i64 " + value, name => TensorProto.Int64(name, value));

    /// <summary>A scalar float constant.</summary>
    public string Float(float value)
        => Constant("f32 " + value.ToString("R", CultureInfo.InvariantCulture), name => TensorProto.Floats(name, [], [value]));

    /// <summary>A scalar double constant.</summary>
    public string Double(double value)
        => Constant("f64 " + value.ToString("R", CultureInfo.InvariantCulture), name => TensorProto.Doubles(name, [], [value]));

    /// <summary>A 1-D float constant.</summary>
    public string Floats(params float[] values)
        => Constant("f32[" + string.Join(",", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + "]",
            name => TensorProto.Floats(name, [values.Length], values));

    private string Constant(string key, Func<string, TensorProto> create)
    {
        var root = Root;
        if (!root._constants.TryGetValue(key, out string? name))
        {
            name = root.Initializer(create(Fresh("const")));
            root._constants.Add(key, name);
        }
        return name;
    }

    /// <summary>Unsqueeze at <paramref name="axes"/> (opset 13+: axes is an input).</summary>
    public string Unsqueeze(string x, params long[] axes) => Add("Unsqueeze", [x, Int64s(axes)]);

    /// <summary>Squeeze at <paramref name="axes"/> (opset 13+: axes is an input).</summary>
    public string Squeeze(string x, params long[] axes) => Add("Squeeze", [x, Int64s(axes)]);

    public string Cast(string x, ElementType to) => Add("Cast", [x], AttributeProto.Of("to", (long)to));
}
