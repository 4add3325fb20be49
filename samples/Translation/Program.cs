using System.CommandLine;
using Translation;

// Trains a sequence-to-sequence translator (an encoder–decoder with attention): German → English sentences from
// ../shared/data/de-en by default, spelling → pronunciation from CMUdict with --task g2p, or your own pairs with --data.
// Prints BLEU (de-en) or WER/PER (g2p) on the test split and a few held-out translations next to their references, saves
// the model, reloads it and translates them again; for g2p it then gives the phones of words typed or piped in.
var task = new Option<string>("--task") { Description = "de-en: German → English sentences (BLEU); g2p: spelling → phones (WER, PER)", DefaultValueFactory = _ => "de-en" };
task.AcceptOnlyFromAmong("de-en", "g2p");
var dataDirectory = new Option<string>("--data-dir") { Description = "The shared data folder, holding de-en/ and cmudict/", HelpName = "DIR", DefaultValueFactory = _ => "../shared/data" };
var data = new Option<string?>("--data")
{
    Description = "Your own pairs instead: a UTF-8 file, one 'source<TAB>target' line a pair, tokens separated by spaces (with --task g2p the " +
                  "source is split into its characters); lines with the same source are alternatives; split 90/5/5 by a hash of the source",
    HelpName = "FILE",
};
var model = new Option<string?>("--model") { Description = "Where the model is saved and loaded (default models/translator-<task>.s2s)", HelpName = "PATH" };
var minutes = new Option<double>("--minutes") { Description = "Training time budget in minutes", DefaultValueFactory = _ => 5 };
var beam = new Option<int>("--beam") { Description = "Beam size of decoding (1 = greedy)", HelpName = "N", DefaultValueFactory = _ => 1 };
var checkpoint = new Option<string?>("--checkpoint") { Description = "Checkpoint written at every validation and on Ctrl+C; training resumes from it when it exists", HelpName = "FILE" };
var seed = new Option<int>("--seed") { Description = "Seed of training", DefaultValueFactory = _ => 1 };
var predictOnly = new Option<bool>("--predict-only") { Description = "Skip training: load --model and translate (for g2p, also words from stdin)" };
var root = new RootCommand("Sequence-to-sequence translation (German → English, spelling → pronunciation, or your own pairs) with Microsoft.ML.Recurrent.")
    { task, dataDirectory, data, model, minutes, beam, checkpoint, seed, predictOnly };
root.SetAction(result =>
{
    try
    {
        if (result.GetValue(minutes) is not (> 0 and < 1e6)) throw new ArgumentException("--minutes must be a positive number.");
        if (result.GetValue(beam) < 1) throw new ArgumentException("--beam must be at least 1."); // before training, not after it
        string taskName = result.GetValue(task)!;
        var settings = new Settings(taskName, result.GetValue(dataDirectory)!, result.GetValue(data), result.GetValue(model) ?? $"models/translator-{taskName}.s2s",
            TimeSpan.FromMinutes(result.GetValue(minutes)), result.GetValue(beam), result.GetValue(checkpoint), result.GetValue(seed), result.GetValue(predictOnly));
        var (train, valid, test) = settings.LoadData();
        var examples = HeldOut.Pick(test.Count > 0 ? test : valid);
        var before = settings.PredictOnly ? null : ModelBuilder.TrainEvaluateSave(settings, train, valid, test, examples);

        Console.WriteLine();
        var translator = ConsumeModel.Load(settings.ModelPath);
        var after = ConsumeModel.Translate(translator, examples, settings);
        if (before is null) HeldOut.Print(examples, after, settings);
        else Console.WriteLine(before.Zip(after).All(p => p.First.SequenceEqual(p.Second))
            ? $"The reloaded model translates the {examples.Count} examples as before saving."
            : "The reloaded model translates the examples differently from before saving!");
        if (settings.IsG2p) ConsumeModel.Pronounce(translator, settings, Console.In, interactive: !Console.IsInputRedirected);
        return 0;
    }
    catch (Exception e) when (e is IOException or InvalidDataException or InvalidOperationException or UnauthorizedAccessException or ArgumentException)
    {
        // Missing or malformed data, bad option values the library rejects (the message names them), a corrupt model
        // file, a checkpoint of another run, training that diverged.
        Console.Error.WriteLine($"error: {e.Message}");
        return 1;
    }
});
// Without System.CommandLine's own Ctrl+C handling, which would end the process: training stops on Ctrl+C and saves.
return root.Parse(args).Invoke(new InvocationConfiguration { ProcessTerminationTimeout = null });
