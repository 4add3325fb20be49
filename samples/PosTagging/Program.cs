using System.CommandLine;
using PosTagging;

// Trains a recurrent part-of-speech tagger (by default on the Brown corpus in ../shared/data/brown, or on a CoNLL-style
// token<TAB>label file), prints test accuracy and a per-tag table, saves the ML.NET pipeline as a zip, then loads the zip
// and tags a few sentences. Ctrl+C stops training and keeps the model so far; `--checkpoint FILE` also resumes;
// `--plot FILE.png` draws the loss curves. `--help` lists the options.
var data = new Option<string>("--data")
{
    Description = "The Brown corpus folder, or a UTF-8 CoNLL-style file: token<TAB>label lines, a blank line between sentences",
    DefaultValueFactory = _ => "../shared/data/brown",
};
var model = new Option<string>("--model") { Description = "Where the model zip is saved", DefaultValueFactory = _ => "models/pos-tagger.zip" };
var minutes = new Option<double>("--minutes") { Description = "Training time budget in minutes", DefaultValueFactory = _ => 5 };
var crf = new Option<bool>("--crf") { Description = "Score label sequences with a linear-chain CRF (the classic for entity tagging)" };
var seed = new Option<int>("--seed") { Description = "Seed of training", DefaultValueFactory = _ => 1 };
var sentences = new Option<string[]>("--sentence")
{
    Description = "A sentence to tag with the saved model, tokens separated by spaces (repeatable)",
    DefaultValueFactory = _ => ["The jury said the election was conducted fairly .", "She glimpsed a flurbish wampet scuttling under the porch ."],
};
var predictOnly = new Option<bool>("--predict-only") { Description = "Skip training; load --model and tag" };
var checkpoint = new Option<string?>("--checkpoint")
{
    Description = "Checkpoint written at every evaluation and on Ctrl+C; training resumes from it when it exists",
    HelpName = "FILE",
};
var plot = new Option<string?>("--plot") { Description = "Draw the training and validation loss to this PNG (or .svg) when training ends", HelpName = "FILE.png" };
var root = new RootCommand("Part-of-speech tagging (or any per-token labelling) with a recurrent network in ML.NET.")
    { data, model, minutes, crf, seed, sentences, predictOnly, checkpoint, plot };
root.SetAction(result =>
{
    string modelPath = result.GetValue(model)!;
    try
    {
        if (result.GetValue(minutes) is not (> 0 and < 1e6)) throw new ArgumentException("--minutes must be a positive number.");
        if (!result.GetValue(predictOnly))
            ModelBuilder.TrainEvaluateSave(result.GetValue(data)!, modelPath, TimeSpan.FromMinutes(result.GetValue(minutes)), result.GetValue(crf), result.GetValue(seed),
                result.GetValue(checkpoint), result.GetValue(plot));
        Console.WriteLine();
        foreach (var tagged in ConsumeModel.Tag(modelPath, result.GetValue(sentences)!))
            Console.WriteLine(string.Join(' ', tagged.Select(p => $"{p.Token}/{p.Tag}")));
        return 0;
    }
    catch (Exception e) when (e is IOException or InvalidDataException or InvalidOperationException or UnauthorizedAccessException or ArgumentException)
    {
        Console.Error.WriteLine($"error: {e.Message}");
        return 1;
    }
});
// Without System.CommandLine's own Ctrl+C handling (it would end the process): training stops itself and saves.
return root.Parse(args).Invoke(new InvocationConfiguration { ProcessTerminationTimeout = null });
