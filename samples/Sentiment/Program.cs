using System.CommandLine;
using Sentiment;

// Trains a recurrent sentiment classifier (by default on ../shared/data/rt-polarity.*), evaluates it on a held-out
// 10%, saves it as an ML.NET zip, then loads the zip and predicts one sentence. Ctrl+C stops training and keeps the
// model so far; `--checkpoint FILE` also resumes; `--plot FILE.png` draws the loss curves. `--help` lists the options.
var data = new Option<string>("--data")
{
    Description = "rt-polarity.pos or .neg (both are read), or a UTF-8 'label<TAB>text' file",
    DefaultValueFactory = _ => "../shared/data/rt-polarity.pos",
};
var model = new Option<string>("--model") { Description = "Where the model zip is saved", DefaultValueFactory = _ => "models/sentiment.zip" };
var sentence = new Option<string>("--sentence")
{
    Description = "The sentence to predict with the saved model",
    DefaultValueFactory = _ => "a gorgeous , witty , seductive movie .",
};
var seed = new Option<int>("--seed") { Description = "Seed for the split and training", DefaultValueFactory = _ => 1 };
var predictOnly = new Option<bool>("--predict-only") { Description = "Skip training; load --model and predict" };
var checkpoint = new Option<string?>("--checkpoint")
{
    Description = "Checkpoint written at every evaluation and on Ctrl+C; training resumes from it when it exists",
    HelpName = "FILE",
};
var plot = new Option<string?>("--plot") { Description = "Draw the training and validation loss to this PNG (or .svg) when training ends", HelpName = "FILE.png" };
var root = new RootCommand("Sentiment classification with a recurrent network in ML.NET.") { data, model, sentence, seed, predictOnly, checkpoint, plot };
root.SetAction(result =>
{
    string modelPath = result.GetValue(model)!;
    try
    {
        if (!result.GetValue(predictOnly)) ModelBuilder.TrainEvaluateSave(result.GetValue(data)!, modelPath, result.GetValue(seed), result.GetValue(checkpoint), result.GetValue(plot));
        var prediction = ConsumeModel.Predict(modelPath, result.GetValue(sentence)!);
        Console.WriteLine($"\"{result.GetValue(sentence)}\": {(prediction.Positive ? "positive" : "negative")} (probability of positive {prediction.Probability:P1})");
        return 0;
    }
    catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or InvalidOperationException or UnauthorizedAccessException)
    {
        Console.Error.WriteLine($"error: {e.Message}");
        return 1;
    }
});
// Without System.CommandLine's own Ctrl+C handling (it would end the process): training stops itself and saves.
return root.Parse(args).Invoke(new InvocationConfiguration { ProcessTerminationTimeout = null });
