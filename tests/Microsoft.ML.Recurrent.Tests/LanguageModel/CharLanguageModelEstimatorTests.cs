using System.Reflection;
using Microsoft.ML.Data;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests.MLNet;

/// <summary>A tiny model trained once, through the catalog, on custom column names (Body → Continuation).</summary>
public sealed class TinyLanguageModelFixture
{
    public const int MaxLength = 24;
    public const float Temperature = 0.8f;
    public const int Seed = 7;

    public TinyLanguageModelFixture()
    {
        Context = new MLContext(seed: 1);
        Context.Log += (_, e) =>
        {
            if (e.Source == "Microsoft.ML.Recurrent" && e.Kind == Runtime.ChannelMessageKind.Info)
            {
                lock (LogLines)
                {
                    LogLines.Add(e.RawMessage);
                }
            }
        };
        Data = Context.Data.LoadFromEnumerable(CorpusLines().Select(l => new BodyRow { Body = l }));
        Transformer = Context.Transforms.Text.TrainCharLanguageModel("Continuation", "Body", new CharLanguageModelEstimator.Options
        {
            TrainingOptions = TinyOptions(),
            MaxLength = MaxLength,
            Temperature = Temperature,
            Seed = Seed,
            Progress = new RecordedProgress(Reports),
        }).Fit(Data);
        Vocabulary = Transformer.Model.Vocabulary.SelectMany(s => s).ToHashSet();
    }

    public MLContext Context { get; }
    public IDataView Data { get; }
    public CharLanguageModelTransformer Transformer { get; }
    public HashSet<char> Vocabulary { get; }
    public List<TrainingProgress> Reports { get; } = [];
    public List<string> LogLines { get; } = [];

    public static CharLanguageModelOptions TinyOptions() => new()
    {
        HiddenSize = 16,
        Layers = 1,
        MaxIterations = 30,
        BatchSize = 4,
        SequenceLength = 16,
        ValidationFraction = 0,
        ReportEvery = 10,
    };

    public static IEnumerable<string> CorpusLines()
    {
        string[] subjects = ["the cat", "a dog", "the bird", "my fox"];
        string[] verbs = ["sees", "chases", "likes", "hears"];
        string[] objects = ["the moon.", "a red ball.", "the old tree.", "its tail."];
        foreach (var s in subjects)
        {
            foreach (var v in verbs)
            {
                foreach (var o in objects)
                {
                    yield return $"{s} {v} {o}";
                }
            }
        }
    }
}

public sealed class BodyRow
{
    public string Body { get; set; } = "";
}

public sealed class PromptInput
{
    [ColumnName("Body")]
    public string Prompt { get; set; } = "";
}

public sealed class ContinuationOutput
{
    [ColumnName("Continuation")]
    public string Text { get; set; } = "";
}

public sealed class CharLanguageModelEstimatorTests(TinyLanguageModelFixture fixture) : IClassFixture<TinyLanguageModelFixture>
{
    private static readonly string[] s_prompts = ["the cat ", "a dog chases ", "my fox", ""];

    private MLContext Ml => fixture.Context;

    [Fact]
    public void Fit_trains_a_model_with_the_requested_shape()
    {
        var model = fixture.Transformer.Model;
        Assert.Equal(16, model.HiddenSize);
        Assert.Equal(1, model.Layers);
        Assert.Equal(RecurrentCell.Lstm, model.Cell);
        Assert.Contains("t", model.Vocabulary);
        Assert.Contains("\n", model.Vocabulary); // rows are joined with '\n'
        Assert.Equal("Continuation", fixture.Transformer.OutputColumnName);
        Assert.Equal("Body", fixture.Transformer.InputColumnName);
        Assert.Equal(TinyLanguageModelFixture.MaxLength, fixture.Transformer.MaxLength);
    }

    [Fact]
    public void Transform_writes_generated_text_made_of_vocabulary_characters()
    {
        var output = fixture.Transformer.Transform(Prompts());
        var column = output.Schema.GetColumnOrNull("Continuation");
        Assert.NotNull(column);
        Assert.IsType<TextDataViewType>(column.Value.Type);
        Assert.NotNull(output.Schema.GetColumnOrNull("Body"));

        var generated = output.GetColumn<string>("Continuation").ToArray();
        Assert.Equal(s_prompts.Length, generated.Length);
        foreach (var text in generated)
        {
            Assert.False(string.IsNullOrEmpty(text));
            Assert.True(text.Length <= TinyLanguageModelFixture.MaxLength, $"generated {text.Length} characters");
            Assert.All(text, c => Assert.Contains(c, fixture.Vocabulary));
        }
    }

    [Fact]
    public void Transform_is_lazy_and_repeatable_through_cursors()
    {
        var output = fixture.Transformer.Transform(Prompts());
        var first = ReadWithCursor(output);
        var second = ReadWithCursor(output);
        Assert.Equal(first, second);
    }

    [Fact]
    public void PredictionEngine_gives_the_same_text_as_Transform()
    {
        var fromTransform = fixture.Transformer.Transform(Prompts()).GetColumn<string>("Continuation").ToArray();
        var engine = Ml.Model.CreatePredictionEngine<PromptInput, ContinuationOutput>(fixture.Transformer);
        var fromEngine = s_prompts.Select(p => engine.Predict(new PromptInput { Prompt = p }).Text).ToArray();
        Assert.Equal(fromTransform, fromEngine);
    }

    [Fact]
    public void Generated_text_matches_the_model_Generate_call()
    {
        var engine = Ml.Model.CreatePredictionEngine<PromptInput, ContinuationOutput>(fixture.Transformer);
        string expected = fixture.Transformer.Model.Generate("the cat ", TinyLanguageModelFixture.MaxLength,
            TinyLanguageModelFixture.Temperature, TinyLanguageModelFixture.Seed);
        Assert.Equal(expected, engine.Predict(new PromptInput { Prompt = "the cat " }).Text);
    }

    [Fact]
    public void Transformer_built_around_a_model_honours_its_column_names()
    {
        var transformer = new CharLanguageModelTransformer(fixture.Transformer.Model, "Out", "In", maxLength: 10, temperature: 0, seed: 3);
        var data = Ml.Data.LoadFromEnumerable(new[] { new InRow { In = "the bird " } });
        var output = transformer.Transform(data);
        Assert.Null(output.Schema.GetColumnOrNull("Continuation"));
        string text = Assert.Single(output.GetColumn<string>("Out"));
        Assert.InRange(text.Length, 1, 10);
        Assert.Equal(fixture.Transformer.Model.Generate("the bird ", 10, 0, 3), text);
    }

    [Fact]
    public void Prompt_characters_the_model_never_saw_are_skipped()
    {
        var engine = Ml.Model.CreatePredictionEngine<PromptInput, ContinuationOutput>(fixture.Transformer);
        string text = engine.Predict(new PromptInput { Prompt = "the Z cat€ " }).Text;
        string expected = fixture.Transformer.Model.Generate("the  cat ", TinyLanguageModelFixture.MaxLength,
            TinyLanguageModelFixture.Temperature, TinyLanguageModelFixture.Seed);
        Assert.Equal(expected, text);
    }

    [Fact]
    public void Output_column_may_replace_the_input_column()
    {
        var transformer = new CharLanguageModelTransformer(fixture.Transformer.Model, "Body", maxLength: 8, seed: 1);
        var output = transformer.Transform(Prompts());
        var generated = output.GetColumn<string>("Body").ToArray();
        Assert.Equal(s_prompts.Length, generated.Length);
        Assert.All(generated, g => Assert.InRange(g.Length, 1, 8));
        var engine = Ml.Model.CreatePredictionEngine<BodyRow, BodyRow>(transformer);
        Assert.Equal(generated[0], engine.Predict(new BodyRow { Body = s_prompts[0] }).Body);
    }

    [Fact]
    public void Simple_overload_with_default_input_column_trains_and_generates()
    {
        // The simple overload keeps the core's default batch (50 streams × 50 steps), so it needs more text.
        var lines = Enumerable.Repeat(TinyLanguageModelFixture.CorpusLines(), 4).SelectMany(l => l);
        var data = Ml.Data.LoadFromEnumerable(lines.Select(l => new BodyRow { Body = l }));
        var transformer = Ml.Transforms.Text
            .TrainCharLanguageModel("Body", hiddenSize: 8, layers: 1, cell: RecurrentCell.Gru, maxLength: 5, epochs: 0.5)
            .Fit(data);
        Assert.Equal("Body", transformer.InputColumnName);
        Assert.Equal(RecurrentCell.Gru, transformer.Model.Cell);
        Assert.All(transformer.Transform(data).GetColumn<string>("Body"), g => Assert.InRange(g.Length, 1, 5));
    }

    [Fact]
    public void Estimator_GetOutputSchema_lists_the_generated_text_column()
    {
        var estimator = Ml.Transforms.Text.TrainCharLanguageModel("Continuation", "Body");
        var shape = estimator.GetOutputSchema(ShapeOf(fixture.Data.Schema));
        var column = Assert.Single(shape, c => c.Name == "Continuation");
        Assert.Equal(SchemaShape.Column.VectorKind.Scalar, column.Kind);
        Assert.IsType<TextDataViewType>(column.ItemType);
        Assert.Contains(shape, c => c.Name == "Body");
    }

    [Fact]
    public void Transformer_GetOutputSchema_lists_the_generated_text_column()
    {
        var schema = fixture.Transformer.GetOutputSchema(fixture.Data.Schema);
        var column = schema.GetColumnOrNull("Continuation");
        Assert.NotNull(column);
        Assert.IsType<TextDataViewType>(column.Value.Type);
    }

    [Fact]
    public void Missing_input_column_gives_a_clear_exception()
    {
        var estimator = Ml.Transforms.Text.TrainCharLanguageModel("Out", "Nope", new CharLanguageModelEstimator.Options
        {
            TrainingOptions = TinyLanguageModelFixture.TinyOptions(),
        });
        var fit = Assert.Throws<ArgumentOutOfRangeException>(() => estimator.Fit(fixture.Data));
        Assert.Contains("'Nope'", fit.Message);
        var shape = Assert.Throws<ArgumentOutOfRangeException>(() => estimator.GetOutputSchema(ShapeOf(fixture.Data.Schema)));
        Assert.Contains("'Nope'", shape.Message);

        var other = Ml.Data.LoadFromEnumerable(new[] { new InRow { In = "x" } });
        var transform = Assert.Throws<ArgumentOutOfRangeException>(() => fixture.Transformer.Transform(other));
        Assert.Contains("'Body'", transform.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Ml.Model.CreatePredictionEngine<InRow, ContinuationOutput>(fixture.Transformer));
    }

    [Fact]
    public void Non_text_input_column_gives_a_clear_exception()
    {
        var numbers = Ml.Data.LoadFromEnumerable(new[] { new NumberRow { Body = 1f } });
        var estimator = Ml.Transforms.Text.TrainCharLanguageModel("Out", "Body", new CharLanguageModelEstimator.Options
        {
            TrainingOptions = TinyLanguageModelFixture.TinyOptions(),
        });
        var fit = Assert.Throws<InvalidOperationException>(() => estimator.Fit(numbers));
        Assert.Contains("'Body'", fit.Message);
        Assert.Contains("text", fit.Message, StringComparison.OrdinalIgnoreCase);
        var shape = Assert.Throws<InvalidOperationException>(() => estimator.GetOutputSchema(ShapeOf(numbers.Schema)));
        Assert.Contains("'Body'", shape.Message);
        var transform = Assert.Throws<InvalidOperationException>(() => fixture.Transformer.Transform(numbers));
        Assert.Contains("'Body'", transform.Message);
    }

    [Fact]
    public void Empty_text_column_gives_a_clear_exception()
    {
        var empty = Ml.Data.LoadFromEnumerable(Array.Empty<BodyRow>());
        var estimator = Ml.Transforms.Text.TrainCharLanguageModel("Out", "Body", new CharLanguageModelEstimator.Options
        {
            TrainingOptions = TinyLanguageModelFixture.TinyOptions(),
        });
        var e = Assert.Throws<InvalidOperationException>(() => estimator.Fit(empty));
        Assert.Contains("'Body'", e.Message);
    }

    [Fact]
    public void Invalid_generation_options_are_rejected_up_front()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Ml.Transforms.Text.TrainCharLanguageModel("Out", "Body", maxLength: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Ml.Transforms.Text.TrainCharLanguageModel("Out", "Body", temperature: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Ml.Transforms.Text.TrainCharLanguageModel("Out", "Body", epochs: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CharLanguageModelTransformer(fixture.Transformer.Model, "Out", "Body", maxLength: -5));
    }

    [Fact]
    public void Progress_reaches_IProgress_and_the_MLContext_log()
    {
        Assert.NotEmpty(fixture.Reports);
        Assert.True(fixture.Reports[^1].Iteration <= 30);
        lock (fixture.LogLines)
        {
            Assert.Contains(fixture.LogLines, l => l.Contains("iteration", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void MLNet_Save_and_Load_give_the_same_text()
    {
        using var stream = new MemoryStream();
        Ml.Model.Save(fixture.Transformer, fixture.Data.Schema, stream);
        stream.Position = 0;
        var loaded = new MLContext(seed: 5).Model.Load(stream, out _);
        var engine = Ml.Model.CreatePredictionEngine<PromptInput, ContinuationOutput>(loaded);
        var expected = Ml.Model.CreatePredictionEngine<PromptInput, ContinuationOutput>(fixture.Transformer);
        foreach (string prompt in s_prompts)
        {
            Assert.Equal(expected.Predict(new PromptInput { Prompt = prompt }).Text, engine.Predict(new PromptInput { Prompt = prompt }).Text);
        }
    }

    [Fact]
    public void Estimator_appends_into_an_ML_NET_pipeline()
    {
        var pipeline = Ml.Transforms.Text.TrainCharLanguageModel("Continuation", "Body", new CharLanguageModelEstimator.Options
        {
            TrainingOptions = TinyLanguageModelFixture.TinyOptions(),
            MaxLength = 6,
        }).Append(Ml.Transforms.Text.NormalizeText("Upper", "Continuation", Transforms.Text.TextNormalizingEstimator.CaseMode.Upper));
        var output = pipeline.Fit(fixture.Data).Transform(Prompts());
        Assert.All(output.GetColumn<string>("Upper"), u => Assert.InRange(u.Length, 1, 6));
    }

    private IDataView Prompts() => Ml.Data.LoadFromEnumerable(s_prompts.Select(p => new BodyRow { Body = p }));

    private static List<string> ReadWithCursor(IDataView view)
    {
        var column = view.Schema["Continuation"];
        var result = new List<string>();
        using var cursor = view.GetRowCursor([column]);
        var getter = cursor.GetGetter<ReadOnlyMemory<char>>(column);
        ReadOnlyMemory<char> value = default;
        while (cursor.MoveNext())
        {
            getter(ref value);
            result.Add(value.ToString());
        }
        return result;
    }

    /// <summary>ML.NET keeps SchemaShape.Create internal; pipelines call it for us, a test has to reach it.</summary>
    private static SchemaShape ShapeOf(DataViewSchema schema)
        => (SchemaShape)typeof(SchemaShape)
            .GetMethod("Create", BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic, [typeof(DataViewSchema)])!
            .Invoke(null, [schema])!;

    public sealed class InRow
    {
        public string In { get; set; } = "";
    }

    public sealed class NumberRow
    {
        public float Body { get; set; }
    }
}
