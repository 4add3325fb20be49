using System.Diagnostics;
using ImageCaptioning;
using ImageCaptioning.Scenes;
using Microsoft.ML;
using Microsoft.ML.Recurrent;
using Microsoft.ML.Recurrent.Plotting;

// Usage: ImageCaptioning [--data FOLDER] [--images FOLDER] [--out FOLDER] [--train N] [--test N] [--heldout N]
//                        [--max-objects 1..3] [--columns 1..7] [--epochs N] [--hidden N] [--beam N] [--seed N] [--checkpoint FILE]
// Without --data, generates a synthetic scene data set into OUT/data. A --data folder holds the train and test
// splits, each as SPLIT.tsv ("image path<TAB>caption" lines) or SPLIT.json (COCO-style captions), optionally a
// heldout split and scenes.tsv; relative image paths resolve against --images (default: the data folder).
// --columns: ResNet18's last feature map pooled in this many vertical strips (default 3; 1 is its own global pooling).
// --checkpoint: the training state, written every epoch and on Ctrl+C and resumed from when it exists. Ctrl+C stops
// training and goes on with the model so far (evaluation, saving, the report with its loss curve, OUT/loss.svg).
var arguments = Arguments.Parse(args);
string output = Path.GetFullPath(arguments.Get("out", "caption-output"));
Directory.CreateDirectory(output);
string? data = arguments.GetOrNull("data");
if (data is null)
{
    data = Path.Combine(output, "data");
    var clock = Stopwatch.StartNew();
    SceneDataset.Write(data, arguments.Get("train", 10000), arguments.Get("test", 300), arguments.Get("heldout", 300),
        arguments.Get("max-objects", 3), arguments.Get("seed", 1));
    Console.WriteLine($"Generated the synthetic scenes into {data} in {clock.Elapsed.TotalSeconds:F1} s.");
}
data = Path.GetFullPath(data);
string? images = arguments.GetOrNull("images") is string folder ? Path.GetFullPath(folder) : null;
var train = DataFolder.Require(data, "train", images);
var test = DataFolder.Require(data, "test", images);
var heldOut = DataFolder.Load(data, "heldout", images) ?? [];
var scenes = SceneDataset.ReadScenes(data);

var options = new CaptionerOptions
{
    Cell = RecurrentCell.Lstm,
    EmbeddingSize = 64,
    HiddenSize = arguments.Get("hidden", 256),
    MaxEpochs = arguments.Get("epochs", 10),
    // Three-object captions run to 18 words ("from left to right a small red circle , a large ...").
    MaxCaptionLength = 24,
    BatchSize = 32,
    LearningRate = 0.002f,
    Dropout = 0.2f,
    // 5 % of the training images (with their captions) validate every epoch: the loss curve's second line, and the
    // epoch whose weights are kept.
    ValidationFraction = 0.05,
    Seed = arguments.Get("seed", 1),
    BeamSize = arguments.Get("beam", 1),
};
// The pipeline decodes greedily (an ONNX graph, the same before Save and after Load); --beam N > 1 runs the
// captioner's own beam search on the pipeline's features.
int beam = options.BeamSize;
var ml = new MLContext(seed: 1);
Console.WriteLine($"Featurizing {train.Count} training images with ResNet18 and training the captioner ...");
var fitClock = Stopwatch.StartNew();
int columns = arguments.Get("columns", 3);
string? resNetModels = columns == 1 ? null : ImageFeaturizerModels.WriteResNet18WithColumnPooling(Path.Combine(output, "resnet18-columns"), columns);
var (model, reports, stopped) = Training.Fit(ml, options, resNetModels, train, arguments.GetOrNull("checkpoint"));
Console.WriteLine($"Featurization + training{(stopped ? " (stopped by Ctrl+C)" : "")}: {fitClock.Elapsed.TotalSeconds:F1} s on {Environment.ProcessorCount} cores.");
string? curve = null;
if (reports.Any(r => double.IsFinite(r.TrainLoss)))
{
    curve = Path.Combine(output, "loss.svg");
    TrainingCurves.Save(reports, curve, title: $"Captioner ({options.Cell} {options.HiddenSize}) on {train.Count:N0} images");
    Console.WriteLine($"Saved the loss curves to {curve}.");
}

// The first training images show how much of the test gap is generalisation rather than fitting.
var results = new List<SplitResult> { Evaluation.Run(ml, model, "in-distribution", test, scenes, beam) };
var seen = Evaluation.Run(ml, model, "training images", [.. train.Take(300)], scenes, beam);
if (heldOut.Count > 0) results.Add(Evaluation.Run(ml, model, "held-out pairs", heldOut, scenes, beam));
results.ForEach(Evaluation.Print);
Evaluation.Print(seen);

// The pipeline saves whole (its ONNX decode graph inside ML.NET's OnnxTransformer); the captioner also saves on its own.
var captioner = model.LastTransformer.Captioner;
var sample = CaptioningPipeline.Load(ml, test.Take(20));
var features = ml.Data.CreateEnumerable<FeatureRow>(model.Transform(sample), reuseRowObject: false).ToList();
var expected = ml.Data.CreateEnumerable<CaptionPrediction>(model.Transform(sample), reuseRowObject: false).Select(p => p.Caption).ToList();
string saved = Path.Combine(output, "captioner.zip");
ml.Model.Save(model, sample.Schema, saved);
var again = ml.Data.CreateEnumerable<CaptionPrediction>(new MLContext(seed: 1).Model.Load(saved, out _).Transform(sample), reuseRowObject: false)
    .Select(p => p.Caption);
Console.WriteLine($"Saved the pipeline to {saved} ({new FileInfo(saved).Length / (1 << 20)} MiB); reloaded, it writes " +
    $"{(again.SequenceEqual(expected) ? "the same" : "DIFFERENT")} captions.");
string alone = Path.Combine(output, "captioner.bin");
captioner.Save(alone);
var reloaded = ImageCaptioner.Load(alone);
bool same = features.All(f => Evaluation.Caption(reloaded, f.Features, beam) == Evaluation.Caption(captioner, f.Features, beam));
Console.WriteLine($"Saved the captioner alone to {alone}; reloaded, it writes {(same ? "the same" : "DIFFERENT")} captions.");

var engine = ml.Model.CreatePredictionEngine<ImageRow, CaptionPrediction>(model);
foreach (var image in test.Take(5).Concat(heldOut.Take(3)))
{
    Console.WriteLine($"{Path.GetFileName(image.ImagePath)}: {engine.Predict(new ImageRow { ImagePath = image.ImagePath }).Caption}");
    foreach (var reference in image.Captions) Console.WriteLine($"    reference: {reference}");
}
var one = new ImageRow { ImagePath = test[0].ImagePath };
engine.Predict(one);
var timing = Stopwatch.StartNew();
const int Repeats = 20;
for (int i = 0; i < Repeats; i++) engine.Predict(one);
Console.WriteLine($"One image captioned (loading, ResNet18 features and decoding): {timing.Elapsed.TotalMilliseconds / Repeats:F1} ms.");
timing.Restart();
foreach (var f in features) Evaluation.Caption(captioner, f.Features, beam);
Console.WriteLine($"  of which decoding alone: {timing.Elapsed.TotalMilliseconds / features.Count:F2} ms.");

string page = Path.Combine(output, "captions.html");
HtmlReport.Write(page, results, perSplit: 24, curve);
Console.WriteLine($"Wrote {page}");
