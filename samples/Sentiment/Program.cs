using System.CommandLine;
using Sentiment;

// Trains a recurrent sentiment classifier (by default on ../shared/data/rt-polarity.*), evaluates it on a held-out
// 10%, saves it as an ML.NET zip, then loads the zip and predicts one sentence. `--help` lists the options.
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
var root = new RootCommand("Sentiment classification with a recurrent network in ML.NET.") { data, model, sentence, seed, predictOnly };
root.SetAction(result =>
{
    string modelPath = result.GetValue(model)!;
    try
    {
        if (!result.GetValue(predictOnly)) ModelBuilder.TrainEvaluateSave(result.GetValue(data)!, modelPath, result.GetValue(seed));
        var prediction = ConsumeModel.Predict(modelPath, result.GetValue(sentence)!);
        Console.WriteLine($"\"{result.GetValue(sentence)}\": {(prediction.Positive ? "positive" : "negative")} (probability of positive {prediction.Probability:P1})");
        return 0;
    }
    catch (Exception e) when (e is IOException or InvalidDataException or InvalidOperationException or UnauthorizedAccessException)
    {
        Console.Error.WriteLine($"error: {e.Message}");
        return 1;
    }
});
return root.Parse(args).Invoke();
