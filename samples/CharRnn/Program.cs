using CharRnn;

// Trains a character-level language model (by default on this repository's own C# source for 90 seconds),
// saves it, and prints a sample from the saved model. `--sample-only` skips training; `--visualize FILE.html` shows
// what its cells track. `--help` lists the options.
return await CommandLine.Create(Run).Parse(args).InvokeAsync(CommandLine.Invocation);

static int Run(Settings settings)
{
    if (!settings.SampleOnly)
    {
        ModelBuilder.TrainEvaluateSave(settings);
    }
    int result = ConsumeModel.LoadAndGenerate(settings);
    return result == 0 && settings.VisualizePath is not null ? ConsumeModel.Visualize(settings) : result;
}
