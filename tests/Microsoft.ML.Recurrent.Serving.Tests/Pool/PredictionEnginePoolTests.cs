using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.ML.Recurrent.Serving.Tests.Fixtures;
using TextGenerationWeb;
using Xunit;

namespace Microsoft.ML.Recurrent.Serving.Tests.Pool;

/// <summary>The pool's semantics, where it does better than Microsoft.Extensions.ML's.</summary>
public sealed class PredictionEnginePoolTests
{
    [Fact]
    public void A_named_model_is_loaded_on_first_use_including_by_GetModel()
    {
        using var folder = new TempFolder();
        string path = folder.File("m.zip");
        File.Copy(TinyModels.SentimentA, path);
        using var pool = new PoolFactory(path);
        Assert.Equal(0, pool.SourcesMade);
        Assert.NotNull(pool.Pool.GetModel(PoolFactory.Name));
        Assert.Equal(1, pool.SourcesMade);
        Assert.True(pool.SaysGreatIsPositive());
        Assert.Equal(1, pool.SourcesMade);
    }

    [Fact]
    public void The_version_names_the_file_hash_time_and_generation()
    {
        using var folder = new TempFolder();
        string path = folder.File("m.zip");
        File.Copy(TinyModels.SentimentA, path);
        using var pool = new PoolFactory(path);
        var version = pool.Pool.GetModelVersion(PoolFactory.Name);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))), version.Sha256);
        Assert.Equal(1, version.Generation);
        Assert.Equal(Path.GetFullPath(path), version.Source);
        Assert.Equal(File.GetLastWriteTimeUtc(path), version.SourceModified!.Value.UtcDateTime);

        Assert.Equal(version, pool.Pool.Reload(PoolFactory.Name)); // same bytes: nothing reloaded
        TempFolder.ReplaceAtomically(TinyModels.SentimentB, path);
        var next = pool.Pool.Reload(PoolFactory.Name);
        Assert.Equal(2, next.Generation);
        Assert.NotEqual(version.Sha256, next.Sha256);
        Assert.False(pool.SaysGreatIsPositive());
    }

    [Fact]
    public void An_engine_goes_back_to_its_own_generation_which_is_disposed_once_drained()
    {
        using var folder = new TempFolder();
        string path = folder.File("m.zip");
        File.Copy(TinyModels.SentimentA, path);
        using var pool = new PoolFactory(path);
        var oldGeneration = pool.Pool.CurrentGeneration(PoolFactory.Name);
        var oldEngine = pool.Pool.GetPredictionEngine(PoolFactory.Name);

        TempFolder.ReplaceAtomically(TinyModels.SentimentB, path);
        pool.Pool.Reload(PoolFactory.Name);
        Assert.NotSame(oldGeneration, pool.Pool.CurrentGeneration(PoolFactory.Name));
        // The engine in use keeps its model until it is returned; new requests get the new model.
        Assert.False(oldGeneration.IsDisposed);
        Assert.True(oldEngine.Predict(new SentimentInput { Text = "great movie" }).PredictedLabel);
        Assert.False(pool.SaysGreatIsPositive());

        pool.Pool.ReturnPredictionEngine(PoolFactory.Name, oldEngine);
        Assert.True(oldGeneration.IsDisposed);
        for (int i = 0; i < 5; i++)
        {
            var engine = pool.Pool.GetPredictionEngine(PoolFactory.Name);
            Assert.NotSame(oldEngine, engine);
            Assert.False(engine.Predict(new SentimentInput { Text = "great movie" }).PredictedLabel);
            pool.Pool.ReturnPredictionEngine(PoolFactory.Name, engine);
        }
    }

    [Fact]
    public void A_failed_reload_keeps_the_previous_model_and_logs_why()
    {
        using var folder = new TempFolder();
        string path = folder.File("m.zip");
        File.Copy(TinyModels.SentimentA, path);
        using var pool = new PoolFactory(path);
        var before = pool.Pool.GetModelVersion(PoolFactory.Name);

        File.WriteAllText(path, "not a model");
        Assert.Equal(before, pool.Pool.Reload(PoolFactory.Name));
        Assert.True(pool.SaysGreatIsPositive());
        var warning = Assert.Single(pool.Log.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains("still serving generation 1", warning.Message);

        File.Delete(path);
        Assert.Equal(before, pool.Pool.Reload(PoolFactory.Name));
        Assert.Contains(pool.Log.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("does not exist"));
    }

    [Fact]
    public void Replacing_a_watched_file_reloads_the_model()
    {
        using var folder = new TempFolder();
        string path = folder.File("m.zip");
        File.Copy(TinyModels.SentimentA, path);
        using var pool = new PoolFactory(path, watch: true);
        Assert.True(pool.SaysGreatIsPositive());
        TempFolder.ReplaceAtomically(TinyModels.SentimentB, path);
        Eventually.True(() => pool.Pool.GetModelVersion(PoolFactory.Name).Generation == 2, "the watcher to reload the model");
        Assert.False(pool.SaysGreatIsPositive());
    }

    [Fact]
    public void Unknown_names_and_foreign_engines_are_refused()
    {
        using var pool = new PoolFactory(TinyModels.SentimentA);
        Assert.Throws<ArgumentException>(() => pool.Pool.GetModel("nope"));
        using var other = new PoolFactory(TinyModels.SentimentA);
        var engine = other.Pool.GetPredictionEngine(PoolFactory.Name);
        Assert.Throws<ArgumentException>(() => pool.Pool.ReturnPredictionEngine(PoolFactory.Name, engine));
        other.Pool.ReturnPredictionEngine(PoolFactory.Name, engine);
        Assert.Throws<ArgumentException>(() => other.Pool.ReturnPredictionEngine(PoolFactory.Name, engine));
    }

    [Fact]
    public void Dependency_injection_registers_the_pool_with_FromFile()
    {
        var services = new ServiceCollection();
        services.AddPredictionEnginePool<SentimentInput, SentimentPrediction>().FromFile("a", TinyModels.SentimentA, watchForChanges: false)
            .FromFile("b", TinyModels.SentimentB, watchForChanges: false);
        using var provider = services.BuildServiceProvider();
        var pool = provider.GetRequiredService<PredictionEnginePool<SentimentInput, SentimentPrediction>>();
        Assert.Equal(["a", "b"], pool.ModelNames.Order());
        var input = new SentimentInput { Text = "great movie" };
        Assert.True(pool.Predict("a", input).PredictedLabel);
        Assert.False(pool.Predict("b", input).PredictedLabel);
    }

    [Fact]
    public async Task Parallel_predictions_across_reloads_all_succeed()
    {
        using var folder = new TempFolder();
        string path = folder.File("m.zip");
        File.Copy(TinyModels.SentimentA, path);
        using var pool = new PoolFactory(path);
        Assert.True(pool.SaysGreatIsPositive()); // generation 1 is loaded before the swaps start
        var swap = Task.Run(() =>
        {
            for (int i = 0; i < 6; i++)
            {
                TempFolder.ReplaceAtomically(i % 2 == 0 ? TinyModels.SentimentB : TinyModels.SentimentA, path);
                pool.Pool.Reload(PoolFactory.Name);
            }
        });
        Parallel.For(0, 2000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ => pool.SaysGreatIsPositive());
        await swap;
        Assert.Equal(7, pool.Pool.GetModelVersion(PoolFactory.Name).Generation);
        Assert.DoesNotContain(pool.Log.Entries, e => e.Level >= LogLevel.Warning);
    }
}
