using CharRnn;

// Trains a character-level language model (by default on this repository's own C# source for 90 seconds),
// saves it, and prints a sample from the saved model. `--sample-only` skips training. `--help` lists the options.
return await CommandLine.Create(Run).Parse(args).InvokeAsync(CommandLine.Invocation);

static int Run(Settings settings)
{
    if (!settings.SampleOnly)
    {
        ModelBuilder.TrainEvaluateSave(settings);
    }
    return ConsumeModel.LoadAndGenerate(settings);
}
