// Loads an ML.NET model zip with plain mlContext.Model.Load, as a user's application would (no call into
// Microsoft.ML.Recurrent, no registration), and prints the text it generates for each prompt, one JSON string a line.
// Usage: Microsoft.ML.Recurrent.LoadCheck <model.zip> <prompt column> <output column> [prompt ...]
//    or: Microsoft.ML.Recurrent.LoadCheck --scores <model.zip> <text column> [text ...]   (a binary classifier's Score, one a line)
//    or: Microsoft.ML.Recurrent.LoadCheck --captions <model.zip> <features column> <output column> [f1,f2,... ...]   (a captioner's text, one JSON string a line)
//    or: Microsoft.ML.Recurrent.LoadCheck --tags <model.zip> <text column> <output column> [text ...]   (a tagger's labels, one JSON array a line)
//    or: Microsoft.ML.Recurrent.LoadCheck --seeds <model.zip> <prompt column> <seed column> <output column> [seed prompt ...]   (a seeded generator's text, one JSON string a line)
using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;

if (args.Length < 3)
{
    Console.Error.WriteLine("usage: Microsoft.ML.Recurrent.LoadCheck <model.zip> <prompt column> <output column> [prompt ...]");
    return 2;
}

var ml = new MLContext();
if (args[0] == "--scores")
{
    var classifier = ml.Model.Load(args[1], out _);
    var textInput = SchemaDefinition.Create(typeof(Row));
    textInput[0].ColumnName = args[2];
    var scorer = ml.Model.CreatePredictionEngine<Row, ScoreRow>(classifier, inputSchemaDefinition: textInput);
    foreach (string text in args.Skip(3))
    {
        Console.WriteLine(scorer.Predict(new Row { Text = text }).Score.ToString("R", CultureInfo.InvariantCulture));
    }
    return 0;
}
if (args[0] == "--captions")
{
    var captioner = ml.Model.Load(args[1], out _);
    var vectors = args.Skip(4).Select(a => a.Split(',').Select(x => float.Parse(x, CultureInfo.InvariantCulture)).ToArray()).ToList();
    var featuresInput = SchemaDefinition.Create(typeof(FeaturesRow));
    featuresInput[0].ColumnName = args[2];
    featuresInput[0].ColumnType = new VectorDataViewType(NumberDataViewType.Single, vectors.Count == 0 ? 1 : vectors[0].Length);
    var captionOutput = SchemaDefinition.Create(typeof(Row));
    captionOutput[0].ColumnName = args[3];
    var writer = ml.Model.CreatePredictionEngine<FeaturesRow, Row>(captioner, inputSchemaDefinition: featuresInput, outputSchemaDefinition: captionOutput);
    foreach (var vector in vectors)
    {
        Console.WriteLine(JsonSerializer.Serialize(writer.Predict(new FeaturesRow { Features = vector }).Text));
    }
    return 0;
}
if (args[0] == "--tags")
{
    var tagger = ml.Model.Load(args[1], out _);
    var sentenceInput = SchemaDefinition.Create(typeof(Row));
    sentenceInput[0].ColumnName = args[2];
    var tagsOutput = SchemaDefinition.Create(typeof(TagsRow));
    tagsOutput[0].ColumnName = args[3];
    var labeller = ml.Model.CreatePredictionEngine<Row, TagsRow>(tagger, inputSchemaDefinition: sentenceInput, outputSchemaDefinition: tagsOutput);
    foreach (string text in args.Skip(4))
    {
        Console.WriteLine(JsonSerializer.Serialize(labeller.Predict(new Row { Text = text }).Tags));
    }
    return 0;
}
if (args[0] == "--seeds")
{
    var generator = ml.Model.Load(args[1], out _);
    var seededInput = SchemaDefinition.Create(typeof(SeededRow));
    seededInput[nameof(SeededRow.Text)].ColumnName = args[2];
    seededInput[nameof(SeededRow.Seed)].ColumnName = args[3];
    var seededOutput = SchemaDefinition.Create(typeof(Row));
    seededOutput[0].ColumnName = args[4];
    var sampler = ml.Model.CreatePredictionEngine<SeededRow, Row>(generator, inputSchemaDefinition: seededInput, outputSchemaDefinition: seededOutput);
    for (int i = 5; i + 1 < args.Length; i += 2)
    {
        var row = new SeededRow { Seed = int.Parse(args[i], CultureInfo.InvariantCulture), Text = args[i + 1] };
        Console.WriteLine(JsonSerializer.Serialize(sampler.Predict(row).Text));
    }
    return 0;
}
var model = ml.Model.Load(args[0], out _);
var input = SchemaDefinition.Create(typeof(Row));
input[0].ColumnName = args[1];
var output = SchemaDefinition.Create(typeof(Row));
output[0].ColumnName = args[2];
var engine = ml.Model.CreatePredictionEngine<Row, Row>(model, inputSchemaDefinition: input, outputSchemaDefinition: output);
foreach (string prompt in args.Skip(3))
{
    Console.WriteLine(JsonSerializer.Serialize(engine.Predict(new Row { Text = prompt }).Text));
}
return 0;

internal sealed class Row
{
    public string Text { get; set; } = "";
}

internal sealed class SeededRow
{
    public string Text { get; set; } = "";

    public int Seed { get; set; }
}

internal sealed class FeaturesRow
{
    public float[] Features { get; set; } = [];
}

internal sealed class TagsRow
{
    public string[] Tags { get; set; } = [];
}

internal sealed class ScoreRow
{
    public float Score { get; set; }
}
