using System.CommandLine;
using System.CommandLine.Parsing;
using Microsoft.ML.Recurrent;

namespace CharRnn;

/// <summary>The command line: options, their validation, and the error handling around the work.</summary>
internal static class CommandLine
{
    public const string DefaultModelPath = "models/charrnn.rnnlm";
    public const double DefaultTimeSeconds = 90;

    /// <summary>
    /// How the command is invoked: without System.CommandLine's own Ctrl+C handling, which would cancel the run and end
    /// the process after 2 seconds; training handles Ctrl+C itself (stop, then save the model and the checkpoint).
    /// </summary>
    public static InvocationConfiguration Invocation { get; } = new() { ProcessTerminationTimeout = null };

    public static RootCommand Create(Func<Settings, int> run)
    {
        var data = new Option<string?>("--data")
        {
            Description = "UTF-8 text file to train on (default: this repository's own C# source, built in)",
            HelpName = "FILE",
        };
        data.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } path && !File.Exists(path))
            {
                r.AddError($"--data: the file '{path}' does not exist.");
            }
        });
        var cell = new Option<string>("--cell") { Description = "Recurrent cell", DefaultValueFactory = _ => "lstm" };
        cell.AcceptOnlyFromAmong("rnn", "lstm", "gru");
        var hidden = Positive(new Option<int>("--hidden") { Description = "Hidden units per layer", DefaultValueFactory = _ => 128 });
        var layers = Positive(new Option<int>("--layers") { Description = "Stacked recurrent layers", DefaultValueFactory = _ => 2 });
        var time = Positive(new Option<double?>("--time")
        {
            Description = $"Training time budget in seconds (default {DefaultTimeSeconds} unless --epochs or --iterations is given)",
            HelpName = "SECONDS",
        });
        var epochs = Positive(new Option<double?>("--epochs") { Description = "Stop after this many passes over the text" });
        var iterations = Positive(new Option<int?>("--iterations") { Description = "Stop after this many minibatch updates", HelpName = "N" });
        var evaluateEvery = Positive(new Option<int>("--evaluate-every")
        {
            Description = "Validate, sample and write the checkpoint every N iterations (and at the end)",
            HelpName = "N",
            DefaultValueFactory = _ => 100,
        });
        var checkpoint = new Option<string?>("--checkpoint")
        {
            Description = "Checkpoint written at every evaluation and on Ctrl+C; training resumes from it when it exists",
            HelpName = "FILE",
        };
        var progressCsv = new Option<string?>("--progress-csv")
        {
            Description = "Also log every progress report as a CSV row (appended to when resuming)",
            HelpName = "FILE",
        };
        var plot = new Option<string?>("--plot")
        {
            Description = "Draw the training and validation loss curves to this PNG (or .svg) file when training ends " +
                          "(with --progress-csv, from the whole log, so a resumed run shows its earlier iterations too)",
            HelpName = "FILE.png",
        };
        plot.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } path && Path.GetExtension(path).ToLowerInvariant() is not (".png" or ".svg"))
            {
                r.AddError($"--plot: '{path}' must end in .png or .svg.");
            }
        });
        var temperature = new Option<float>("--temperature")
        {
            Description = "Sampling temperature (0 = greedy; higher = more surprising)",
            DefaultValueFactory = _ => 0.8f,
        };
        temperature.Validators.Add(r =>
        {
            float t = r.GetValueOrDefault<float>();
            if (!(t >= 0) || float.IsInfinity(t))
            {
                r.AddError("--temperature must be a finite number >= 0.");
            }
        });
        var prime = new Option<string>("--prime")
        {
            Description = "Text the sample starts from (default: a new line)",
            DefaultValueFactory = _ => "",
        };
        var length = Positive(new Option<int>("--length") { Description = "Characters to generate", DefaultValueFactory = _ => 500 });
        var seed = new Option<int>("--seed") { Description = "Seed for training and sampling", DefaultValueFactory = _ => 1 };
        var model = new Option<string>("--model")
        {
            Description = "Where the model is saved (and loaded from with --sample-only)",
            HelpName = "PATH",
            DefaultValueFactory = _ => DefaultModelPath,
        };
        var sampleOnly = new Option<bool>("--sample-only") { Description = "Load the saved model and generate; no training" };
        var visualize = new Option<string?>("--visualize")
        {
            Description = "Write a page colouring held-out text by the cells that best follow strings, comments, nesting, line position, indentation",
            HelpName = "FILE.html",
        };
        var cells = new Option<string?>("--cells")
        {
            Description = "With --visualize: colour by these cells instead, as LAYER:KIND:UNIT separated by commas (KIND h, c; gates i f o g, r z n), e.g. 2:c:37,1:h:5",
            HelpName = "LIST",
        };
        cells.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } list && ParseCells(list) is null)
            {
                r.AddError($"--cells: '{list}' is not a list of LAYER:KIND:UNIT (layer from 1, KIND one of h c i f o g r z n, unit from 0), e.g. 2:c:37,1:h:5.");
            }
        });

        var root = new RootCommand(
            "Trains a character-level recurrent language model (RNN, LSTM or GRU) with Microsoft.ML.Recurrent, " +
            "saves it, and generates text from it.")
        {
            data, cell, hidden, layers, time, epochs, iterations, evaluateEvery, checkpoint, progressCsv, plot, temperature, prime, length, seed, model, sampleOnly, visualize, cells,
        };
        root.SetAction(result =>
        {
            double? seconds = result.GetValue(time);
            double? epochCount = result.GetValue(epochs);
            int? iterationCount = result.GetValue(iterations);
            var settings = new Settings
            {
                DataPath = result.GetValue(data),
                Cell = result.GetValue(cell) switch
                {
                    "rnn" => RecurrentCell.Rnn,
                    "gru" => RecurrentCell.Gru,
                    _ => RecurrentCell.Lstm,
                },
                HiddenSize = result.GetValue(hidden),
                Layers = result.GetValue(layers),
                TimeBudget = seconds is null && epochCount is null && iterationCount is null
                    ? TimeSpan.FromSeconds(DefaultTimeSeconds)
                    : seconds is { } s ? TimeSpan.FromSeconds(s) : null,
                Epochs = epochCount,
                Iterations = iterationCount,
                EvaluateEvery = result.GetValue(evaluateEvery),
                CheckpointPath = result.GetValue(checkpoint),
                ProgressCsvPath = result.GetValue(progressCsv),
                PlotPath = result.GetValue(plot),
                Temperature = result.GetValue(temperature),
                Prime = result.GetValue(prime) ?? "",
                Length = result.GetValue(length),
                Seed = result.GetValue(seed),
                ModelPath = result.GetValue(model) ?? DefaultModelPath,
                SampleOnly = result.GetValue(sampleOnly),
                VisualizePath = result.GetValue(visualize),
                Cells = result.GetValue(cells) is { } list ? ParseCells(list)! : [],
            };
            return RunReportingErrors(run, settings);
        });
        return root;
    }

    private static int RunReportingErrors(Func<Settings, int> run, Settings settings)
    {
        try
        {
            return run(settings);
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or UnauthorizedAccessException or InvalidOperationException)
        {
            // Bad option values the core rejects (e.g. --hidden too large), unreadable or non-UTF-8 files,
            // prompts with unknown characters, corrupt model files or checkpoints, a checkpoint of another run
            // (the message says what differs and what to do), training that diverged.
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    /// <summary>"2:c:37,1:h:5" → cells (layers counted from 1 on the command line, from 0 in the library); null when malformed.</summary>
    private static List<CellChoice>? ParseCells(string list)
    {
        var result = new List<CellChoice>();
        foreach (string item in list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            string[] parts = item.Split(':');
            ActivationKind? kind = parts.Length == 3 ? parts[1] switch
            {
                "h" => ActivationKind.Hidden,
                "c" => ActivationKind.Cell,
                "i" => ActivationKind.InputGate,
                "f" => ActivationKind.ForgetGate,
                "o" => ActivationKind.OutputGate,
                "g" or "n" => ActivationKind.Candidate,
                "r" => ActivationKind.ResetGate,
                "z" => ActivationKind.UpdateGate,
                _ => null,
            } : null;
            if (kind is null || !int.TryParse(parts[0], out int layer) || layer < 1 || !int.TryParse(parts[2], out int unit) || unit < 0)
            {
                return null;
            }
            result.Add(new CellChoice(layer - 1, kind.Value, unit));
        }
        return result.Count > 0 ? result : null;
    }

    private static Option<T> Positive<T>(Option<T> option)
    {
        option.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<T>() is { } value && !(Convert.ToDouble(value) > 0 && double.IsFinite(Convert.ToDouble(value))))
            {
                r.AddError($"{option.Name} must be a positive number, not {value}.");
            }
        });
        return option;
    }
}
