namespace ImageCaptioning;

/// <summary>Every experiment's scores as one Markdown table (features × decoding × split), ready to paste into a README.</summary>
public static class ResultsTable
{
    public static void Print(IEnumerable<ExperimentResult> experiments)
    {
        Console.WriteLine();
        Console.WriteLine("| features | decoding | split | images | BLEU-4 | CIDEr-D | attributes correct | 1 / 2 / 3 objects |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var experiment in experiments)
        {
            foreach (var r in experiment.Results)
            {
                string attributes = r.AttributeAccuracy is double a ? $"{a:P1}" : "–";
                string byCount = string.Join(" / ", r.AccuracyByObjectCount.Values.Select(v => $"{v * 100:F1}"));
                Console.WriteLine($"| {experiment.Name} | {r.Decoding} | {r.Name} | {r.Images.Count} | {r.Metrics.Bleu4:F3} | {r.Metrics.Cider:F2} | {attributes} | {byCount} |");
            }
        }
        Console.WriteLine();
    }
}
