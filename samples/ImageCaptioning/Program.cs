using System.Diagnostics;
using ImageCaptioning;
using ImageCaptioning.Scenes;
using Microsoft.ML;
using Microsoft.ML.Recurrent;
using Microsoft.ML.Recurrent.Plotting;

// Usage: ImageCaptioning [--data FOLDER] [--images FOLDER] [--out FOLDER] [--train N] [--test N] [--heldout N]
//                        [--max-objects 1..3] [--features grid|strips|global] [--grid-stage 2..4] [--grid-size N]
//                        [--columns 1..7] [--compare strips|global|grid]
//                        [--epochs N] [--hidden N] [--coverage λ] [--word-dropout P]
//                        [--initial-state mean|zero] [--attention-query current|previous] [--beam N] [--seed N]
//                        [--checkpoint FILE]
// Without --data, generates a synthetic scene data set into OUT/data. A --data folder holds the train and test
// splits, each as SPLIT.tsv ("image path<TAB>caption" lines) or SPLIT.json (COCO-style captions), optionally a
// heldout split and scenes.tsv; relative image paths resolve against --images (default: the data folder).
// --features: grid (default) is a map of ResNet18 (--grid-stage, default 3: its 14×14 map) pooled into --grid-size ×
// --grid-size regions (default 7) and read by spatial attention; strips is its last map pooled in --columns vertical
// strips (default 3); global is its own pooling. --compare KIND also trains on that kind of
// features, on the same images, and scores both side by side. --beam N (default 3) is scored beside greedy decoding.
// Every caption written goes to OUT/captions-KIND.tsv (split, decoding, image, object count, attributes correct, caption).
// --coverage λ: the doubly-stochastic attention regulariser (default 0: off); --word-dropout P: the chance that a fed
// word is replaced by <UNK> in training (default 0); --attention-query: which decoder state scores the regions (current,
// the default: this step's, after reading the previous word, the context into the output layer only; previous:
// Show-Attend-Tell's, the context fed back into the recurrence).
// --checkpoint: the training state, written every epoch and on Ctrl+C and resumed from when it exists. Ctrl+C stops
// training and goes on with the model so far (evaluation, saving, the report with its loss curve, OUT/loss.svg).
var arguments = Arguments.Parse(args);
string output = Path.GetFullPath(arguments.Get("out", "caption-output"));
Directory.CreateDirectory(output);
int seed = arguments.Get("seed", 1);
string? data = arguments.GetOrNull("data");
if (data is null)
{
    data = Path.Combine(output, "data");
    var clock = Stopwatch.StartNew();
    SceneDataset.Write(data, arguments.Get("train", 6000), arguments.Get("test", 300), arguments.Get("heldout", 300),
        arguments.Get("max-objects", 3), seed);
    Console.WriteLine($"Generated the synthetic scenes into {data} in {clock.Elapsed.TotalSeconds:F1} s.");
}
data = Path.GetFullPath(data);
string? images = arguments.GetOrNull("images") is string folder ? Path.GetFullPath(folder) : null;
var splits = new CaptionSplits(DataFolder.Require(data, "train", images), DataFolder.Require(data, "test", images),
    DataFolder.Load(data, "heldout", images) ?? [], SceneDataset.ReadScenes(data));

int beam = arguments.Get("beam", 3);
CaptionerOptions Options(ImageFeatures features)
{
    var options = new CaptionerOptions
    {
        Cell = RecurrentCell.Lstm,
        EmbeddingSize = 64,
        HiddenSize = arguments.Get("hidden", 256),
        MaxEpochs = arguments.Get("epochs", 14),
        // Three-object captions run to 18 words ("from left to right a small red circle , a large ...").
        MaxCaptionLength = 24,
        BatchSize = 32,
        LearningRate = 0.002f,
        Dropout = 0.2f,
        // 5 % of the training images (with their captions) validate every epoch: the loss curve's second line, and the
        // epoch whose weights are kept.
        ValidationFraction = 0.05,
        Seed = seed,
        // λ of the doubly-stochastic attention regulariser (grid features only; 0: off).
        AttentionCoverage = float.Parse(arguments.Get("coverage", "0"), System.Globalization.CultureInfo.InvariantCulture),
        WordDropout = float.Parse(arguments.Get("word-dropout", "0"), System.Globalization.CultureInfo.InvariantCulture),
        AttentionQuery = arguments.Get("attention-query", "current") switch
        {
            "previous" => AttentionQuery.PreviousState,
            "current" => AttentionQuery.CurrentState,
            var other => throw new ArgumentException($"--attention-query must be previous or current, not '{other}'."),
        },
    };
    features.Condition(options);
    // --initial-state zero: attention alone, the decoder starting from zeros rather than from the mean of the regions.
    if (arguments.Get("initial-state", "mean") == "zero" && options.Conditioning.HasFlag(ImageConditioning.Attention))
        options.Conditioning = ImageConditioning.Attention;
    return options;
}
// The pipeline decodes greedily (an ONNX graph, the same before Save and after Load); beam search is scored with the
// captioner's own decoder on the pipeline's features.
var ml = new MLContext(seed: 1);
ImageFeatures Features(string kind) => new(ImageFeatures.Parse(kind), ImageFeatures.ParseStage(arguments.Get("grid-stage", 3)),
    arguments.Get("grid-size", 7), arguments.Get("columns", 3));
var runs = new List<ImageFeatures> { Features(arguments.Get("features", "grid")) };
if (arguments.GetOrNull("compare") is string compare) runs.Add(Features(compare));
var experiments = new List<ExperimentResult>();
foreach (var run in runs.Distinct())
{
    // Only the main run resumes from --checkpoint; a comparison trains from scratch.
    string? checkpoint = experiments.Count == 0 ? arguments.GetOrNull("checkpoint") : null;
    experiments.Add(Experiment.Run(ml, run.Name, Options(run), run.WriteModel(output), splits, beam, checkpoint));
    experiments[^1].Results.ToList().ForEach(Evaluation.Print);
    CaptionsFile.Write(Path.Combine(output, $"captions-{run.Kind.ToString().ToLowerInvariant()}.tsv"), experiments[^1], splits.Scenes);
}
ResultsTable.Print(experiments);

var main = experiments[0];
var (model, captioner) = (main.Model, main.Captioner);
string? curve = null;
if (main.Reports.Any(r => double.IsFinite(r.TrainLoss)))
{
    curve = Path.Combine(output, "loss.svg");
    TrainingCurves.Save(main.Reports, curve, title: $"Captioner ({main.Name}, {captioner.Options.Cell} {captioner.Options.HiddenSize}) on {splits.Train.Count:N0} images");
    Console.WriteLine($"Saved the loss curves to {curve}.");
}

// The pipeline saves whole (its ONNX decode graph inside ML.NET's OnnxTransformer); the captioner also saves on its own.
var sample = CaptioningPipeline.Load(ml, splits.Test.Take(20));
var features = ml.Data.CreateEnumerable<CaptionedFeatures>(model.Transform(sample), reuseRowObject: false).ToList();
string saved = Path.Combine(output, "captioner.zip");
ml.Model.Save(model, sample.Schema, saved);
var again = ml.Data.CreateEnumerable<CaptionPrediction>(new MLContext(seed: 1).Model.Load(saved, out _).Transform(sample), reuseRowObject: false)
    .Select(p => p.Caption);
Console.WriteLine($"Saved the pipeline to {saved} ({new FileInfo(saved).Length / (1 << 20)} MiB); reloaded, it writes " +
    $"{(again.SequenceEqual(features.Select(f => f.Caption)) ? "the same" : "DIFFERENT")} captions.");
string alone = Path.Combine(output, "captioner.bin");
captioner.Save(alone);
var reloaded = ImageCaptioner.Load(alone);
bool same = features.All(f => Evaluation.Caption(reloaded, f.Features, beam) == Evaluation.Caption(captioner, f.Features, beam));
Console.WriteLine($"Saved the captioner alone to {alone}; reloaded, it writes {(same ? "the same" : "DIFFERENT")} captions.");

var engine = ml.Model.CreatePredictionEngine<ImageRow, CaptionPrediction>(model);
foreach (var image in splits.Test.Take(5).Concat(splits.HeldOut.Take(3)))
{
    Console.WriteLine($"{Path.GetFileName(image.ImagePath)}: {engine.Predict(new ImageRow { ImagePath = image.ImagePath }).Caption}");
    foreach (var reference in image.Captions) Console.WriteLine($"    reference: {reference}");
}
var one = new ImageRow { ImagePath = splits.Test[0].ImagePath };
engine.Predict(one);
var timing = Stopwatch.StartNew();
const int Repeats = 20;
for (int i = 0; i < Repeats; i++) engine.Predict(one);
Console.WriteLine($"One image captioned (loading, ResNet18 features and decoding): {timing.Elapsed.TotalMilliseconds / Repeats:F1} ms.");
foreach (int width in new[] { 1, beam }.Distinct())
{
    Evaluation.Caption(captioner, features[0].Features, width); // compiled before it is timed
    timing.Restart();
    foreach (var f in features) Evaluation.Caption(captioner, f.Features, width);
    Console.WriteLine($"  of which decoding alone ({(width > 1 ? $"beam {width}" : "greedy")}): {timing.Elapsed.TotalMilliseconds / features.Count:F2} ms.");
}

string page = Path.Combine(output, "captions.html");
HtmlReport.Write(page, experiments, perSplit: 12, curve);
Console.WriteLine($"Wrote {page}");
