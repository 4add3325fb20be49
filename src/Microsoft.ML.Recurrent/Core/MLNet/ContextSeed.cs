using Microsoft.ML.Runtime;

namespace Microsoft.ML.Recurrent;

/// <summary>The MLContext's seed for training options that give none (<see cref="RecurrentTrainerOptions.Seed"/> = null).</summary>
internal static class ContextSeed
{
    /// <summary>
    /// <paramref name="options"/> when they have a seed; else a copy seeded from a host registered on
    /// <paramref name="environment"/>, whose generator follows the MLContext's seed (<c>new MLContext(seed: 1)</c>), so
    /// two contexts with the same seed train the same model. Without a reachable context the core default (1) applies.
    /// </summary>
    public static T Apply<T>(T options, IHostEnvironment? environment, string name) where T : RecurrentTrainerOptions
        => environment is null ? options : RecurrentTrainerOptions.WithDefaultSeed(options, () => environment.Register(name).Rand.Next());
}
