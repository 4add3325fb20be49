using Microsoft.ML.Recurrent.Numerics;

namespace Microsoft.ML.Recurrent.Layers;

/// <summary>
/// The encoder–decoder, classifier and tagger initialisation: Glorot-uniform weights U(±√(6 / (rows + cols))),
/// embedding tables N(0, σ²) with each table's own σ, zero biases (and whatever else the network names zero), drawn in the store's order so that
/// a seed gives the same weights.
/// </summary>
internal static class GlorotInitialization
{
    public static void Apply(ParameterStore parameters, RandomSource random, IReadOnlyList<(Parameter? Table, double Deviation)> embeddings,
        IReadOnlyCollection<Parameter?>? zeros = null)
    {
        foreach (var p in parameters.Parameters)
        {
            var v = p.Value;
            float limit = MathF.Sqrt(6f / (p.Rows + p.Cols));
            double? deviation = embeddings.Where(e => e.Table == p).Select(e => (double?)e.Deviation).FirstOrDefault();
            bool zero = p.IsBias || zeros?.Contains(p) == true;
            for (int i = 0; i < v.Length; i++)
                v[i] = zero ? 0f : deviation is double d ? (float)(random.NextGaussian() * d) : (2f * random.NextFloat() - 1f) * limit;
        }
    }
}
