using System.CommandLine;
using FashionMnist;

// Trains a recurrent classifier on Fashion-MNIST (by default ../shared/data/fashion-mnist), each image read as 28 steps of
// 28 pixels, for a time budget; evaluates it on the 10,000 test images; saves it as an ML.NET zip, then loads the zip and
// predicts a few test images. Ctrl+C stops training and keeps the model so far; `--checkpoint FILE` also resumes;
// `--plot FILE.png` draws the loss curves. `--help` lists the options.
var data = new Option<string>("--data")
{
    Description = "The folder of the four gzipped IDX files (train-images-idx3-ubyte.gz, …)",
    DefaultValueFactory = _ => "../shared/data/fashion-mnist",
};
var model = new Option<string>("--model") { Description = "Where the model zip is saved", DefaultValueFactory = _ => "models/fashion-mnist.zip" };
// Two minutes on two busy cores reached 86.9% test accuracy (see the README).
var minutes = new Option<double>("--minutes") { Description = "Training time budget in minutes", DefaultValueFactory = _ => 2 };
var trainRows = new Option<int>("--train-rows")
{
    Description = "Train on the first N of the 60,000 training images (10% of them held out for validation)",
    DefaultValueFactory = _ => FashionMnistData.TrainingImages,
};
var seed = new Option<int>("--seed") { Description = "Seed for the validation split and training", DefaultValueFactory = _ => 1 };
var checkpoint = new Option<string?>("--checkpoint")
{
    Description = "Checkpoint written at every evaluation and on Ctrl+C; training resumes from it when it exists",
    HelpName = "FILE",
};
var plot = new Option<string?>("--plot") { Description = "Draw the training and validation loss to this PNG (or .svg) when training ends", HelpName = "FILE.png" };
var root = new RootCommand("Fashion-MNIST classification with a recurrent network in ML.NET.") { data, model, minutes, trainRows, seed, checkpoint, plot };
root.SetAction(result =>
{
    string dir = result.GetValue(data)!, modelPath = result.GetValue(model)!;
    try
    {
        var test = FashionMnistData.Read(dir, training: false, FashionMnistData.TestImages);
        ModelBuilder.TrainEvaluateSave(FashionMnistData.Read(dir, training: true, result.GetValue(trainRows)), test, modelPath,
            TimeSpan.FromMinutes(result.GetValue(minutes)), result.GetValue(seed), result.GetValue(checkpoint), result.GetValue(plot));
        var shown = test.Take(5).ToArray();
        foreach (var (image, prediction) in shown.Zip(ConsumeModel.Predict(modelPath, shown)))
            Console.WriteLine($"{image.Label,-11} → predicted {prediction.Class} ({prediction.Score.Max():P1})");
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
