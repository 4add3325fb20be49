using SkiaSharp;
using Xunit;

namespace Microsoft.ML.Recurrent.Plotting.Tests;

public sealed class TrainingCurvesTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mlrnn-plot-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>A run of 200 iterations: a report every 5, a validation every 50 (on its own report, as the trainers send it).</summary>
    private static List<TrainingProgress> Run(bool withValidation = true) =>
    [
        .. Enumerable.Range(1, 40).Select(i => new TrainingProgress
        {
            Iteration = i * 5,
            Epoch = i * 0.05,
            TrainLoss = 3 * Math.Exp(-i / 15.0) + 1,
            ValidationLoss = withValidation && i % 10 == 0 ? 3.2 * Math.Exp(-i / 15.0) + 1.2 : null,
            Elapsed = TimeSpan.FromSeconds(i),
        }),
    ];

    [Fact]
    public void The_png_is_an_image_of_the_requested_size_with_both_curves_drawn_in_their_colours()
    {
        string path = Path.Combine(_folder, "curve.png");
        TrainingCurves.SavePng(Run(), path, 640, 360, "test run");
        byte[] bytes = File.ReadAllBytes(path);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
        using var image = SKBitmap.Decode(bytes);
        Assert.NotNull(image);
        Assert.Equal((640, 360), (image.Width, image.Height));
        Assert.True(Count(image, TrainingCurves.TrainColor) > 200, "The training curve is not drawn.");
        Assert.True(Count(image, TrainingCurves.ValidationColor) > 100, "The validation curve is not drawn.");
        // Something is drawn inside the plot area (not only the frame and the labels): the middle rows hold non-white pixels.
        int drawn = 0;
        for (int y = image.Height / 4; y < image.Height * 3 / 4; y++)
            for (int x = image.Width / 4; x < image.Width * 3 / 4; x++)
                if (image.GetPixel(x, y) is var c && (c.Red < 200 || c.Green < 200 || c.Blue < 200)) drawn++;
        Assert.True(drawn > 100, $"Only {drawn} pixels drawn in the middle of the plot.");
    }

    [Fact]
    public void Without_validation_reports_there_is_no_validation_curve()
    {
        using var image = SKBitmap.Decode(TrainingCurves.RenderPng(Run(withValidation: false), 640, 360));
        Assert.True(Count(image, TrainingCurves.TrainColor) > 200);
        Assert.Equal(0, Count(image, TrainingCurves.ValidationColor)); // the colour check above can tell the curves apart
    }

    [Fact]
    public void The_svg_holds_both_curves_and_the_labels()
    {
        string path = Path.Combine(_folder, "curve.svg");
        TrainingCurves.SaveSvg(Run(), path);
        string svg = File.ReadAllText(path);
        Assert.Contains("<svg", svg);
        Assert.Contains("iteration", svg);
        Assert.Contains("loss (nats)", svg);
        Assert.Contains("validation", svg);
    }

    [Fact]
    public void Save_writes_svg_for_an_svg_path_and_png_for_any_other()
    {
        string svg = Path.Combine(_folder, "curve.SVG"), png = Path.Combine(_folder, "curve.png"), other = Path.Combine(_folder, "curve");
        TrainingCurves.Save(Run(), svg);
        TrainingCurves.Save(Run(), png);
        TrainingCurves.Save(Run(), other);
        Assert.Contains("<svg", File.ReadAllText(svg));
        Assert.Equal(File.ReadAllBytes(png), File.ReadAllBytes(other));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(png)[..4]);
        Assert.Throws<ArgumentException>(() => TrainingCurves.Save(Run(), ""));
    }

    [Fact]
    public void The_file_is_replaced_whole_and_no_temporary_file_is_left()
    {
        string path = Path.Combine(_folder, "sub", "curve.png"); // the folder is created
        TrainingCurves.SavePng(Run(), path);
        byte[] first = File.ReadAllBytes(path);
        TrainingCurves.SavePng(Run(withValidation: false), path);
        Assert.NotEqual(first, File.ReadAllBytes(path));
        Assert.Equal(["curve.png"], Directory.GetFiles(Path.Combine(_folder, "sub")).Select(Path.GetFileName));

        // A failed render leaves the previous image alone.
        byte[] before = File.ReadAllBytes(path);
        Assert.Throws<ArgumentException>(() => TrainingCurves.SavePng([], path));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(Path.Combine(_folder, "sub")));
    }

    [Fact]
    public void Bad_arguments_are_refused_with_clear_messages()
    {
        string path = Path.Combine(_folder, "x.png");
        var empty = Assert.Throws<ArgumentException>(() => TrainingCurves.SavePng([], path));
        Assert.Contains("no progress reports to plot", empty.Message);
        var nan = Assert.Throws<ArgumentException>(() => TrainingCurves.SavePng([new TrainingProgress { Iteration = 1, TrainLoss = double.NaN }], path));
        Assert.Contains("finite loss", nan.Message);
        Assert.Throws<ArgumentNullException>(() => TrainingCurves.SavePng(null!, path));
        Assert.Throws<ArgumentException>(() => TrainingCurves.SavePng(Run(), " "));
        Assert.Throws<ArgumentOutOfRangeException>(() => TrainingCurves.SavePng(Run(), path, width: 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => TrainingCurves.SavePng(Run(), path, height: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => TrainingCurves.SavePng(Run(), path, width: 100_000));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void A_resumed_log_is_plotted_as_its_latest_run_and_the_csv_log_plots_as_the_reports_do()
    {
        var run = Run();
        string csv = Path.Combine(_folder, "progress.csv");
        using (var log = new TrainingProgressCsvWriter(csv))
        {
            foreach (var r in run.Take(30)) log.Report(r); // killed at iteration 150 ...
            foreach (var r in run.Skip(20)) log.Report(r); // ... and resumed from its checkpoint at 100
        }
        var read = TrainingProgressCsvReader.Read(csv);
        Assert.Equal(50, read.Count);
        Assert.Equal(TrainingCurves.RenderPng(run), TrainingCurves.RenderPng(read));
    }

    [Fact]
    public void The_recorder_keeps_every_report_in_order_from_any_thread()
    {
        var recorder = new TrainingProgressRecorder();
        Parallel.For(0, 1000, i => recorder.Report(new TrainingProgress { Iteration = i }));
        Assert.Equal(1000, recorder.Count);
        Assert.Equal(Enumerable.Range(0, 1000), recorder.Reports.Select(r => r.Iteration).Order());
        var snapshot = recorder.Reports;
        recorder.Report(new TrainingProgress { Iteration = 5000 });
        Assert.Equal(1000, snapshot.Count); // a copy
        recorder.Clear();
        Assert.Equal(0, recorder.Count);
        Assert.Throws<ArgumentNullException>(() => recorder.Report(null!));
    }

    [Fact]
    public void The_recorder_passes_each_report_on_after_keeping_it()
    {
        var passedOn = new List<(int Iteration, int KeptBefore)>();
        TrainingProgressRecorder? recorder = null;
        recorder = new TrainingProgressRecorder(new Sink(r => passedOn.Add((r.Iteration, recorder!.Count))));
        foreach (int i in new[] { 3, 1, 2 }) recorder.Report(new TrainingProgress { Iteration = i });
        Assert.Equal([(3, 1), (1, 2), (2, 3)], passedOn);
        Assert.Equal([3, 1, 2], recorder.Reports.Select(r => r.Iteration));
    }

    private sealed class Sink(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }

    /// <summary>Pixels within a small distance of <paramref name="color"/> (anti-aliased edges aside).</summary>
    private static int Count(SKBitmap image, ScottPlot.Color color)
    {
        int n = 0;
        for (int y = 0; y < image.Height; y++)
        {
            for (int x = 0; x < image.Width; x++)
            {
                var c = image.GetPixel(x, y);
                if (Math.Abs(c.Red - color.R) + Math.Abs(c.Green - color.G) + Math.Abs(c.Blue - color.B) < 30) n++;
            }
        }
        return n;
    }
}
