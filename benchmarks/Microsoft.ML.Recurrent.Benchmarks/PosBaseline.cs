using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.Recurrent.Benchmarks;

/// <summary>
/// ML.NET's best route to a part-of-speech tagger without us, as a user would build it: one row per token whose
/// features are strings the user writes (the word, its lower-cased form, the lower-cased words at ±1 and ±2,
/// suffixes of 1–3 characters, a 3-character prefix and the word's shape: capitalised, all caps, digits, hyphen,
/// first in its sentence), one-hot encoded by ML.NET into one bag (<c>OneHotEncoding</c> with a dictionary: the
/// ≈ 276k distinct training features need no more weights than 2^18 hash buckets and collide nowhere) and fed to
/// <c>SdcaMaximumEntropy</c>, a maximum-entropy (multinomial logistic) classifier over the 456 tags seen in training.
/// LightGbm is served (Microsoft.ML.LightGbm 5.0.1) but grows one tree per class and round: 456 trees a round over
/// ≈ 930k rows is far beyond the 10 minutes this baseline gets.
/// </summary>
internal static class PosBaseline
{
    private const int Features = 14;

    // One pass updates the duals and weights of all 456 classes for each of the ≈ 929k rows (the duals alone are
    // 929k × 456 floats, 1.7 GB). Measured on 2 shared cores, --threads 2: 1 pass 400 s (216 CPU s), 93.20% test
    // accuracy; 3 passes 581 s (774 CPU s), 94.00%, peak RSS 3.3 GB. Three is what fits in ~10 minutes.
    private const int Passes = 3;

    public static int Run(TaskArguments args, IReadOnlyList<TaggedSentence> train, IReadOnlyList<TaggedSentence> test)
    {
        var ml = new MLContext(seed: args.Seed);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", nameof(TokenRow.Tag))
            .Append(ml.Transforms.Categorical.OneHotEncoding("Features", nameof(TokenRow.Context), OneHotEncodingEstimator.OutputKind.Bag))
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(new SdcaMaximumEntropyMulticlassTrainer.Options
            {
                MaximumNumberOfIterations = Passes,
                // No L1: with it SDCA keeps a second copy of the 456 × 276k weights.
                L1Regularization = 0,
                NumberOfThreads = args.Threads,
            }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedTag", "PredictedLabel"));
        var clock = Stopwatch.StartNew();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var model = pipeline.Fit(ml.Data.LoadFromEnumerable(Rows(train)));
        double trainSeconds = clock.Elapsed.TotalSeconds;
        // CPU seconds too: on a shared machine wall time alone overstates what the training costs.
        double trainCpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;

        var known = new HashSet<string>(train.SelectMany(s => s.Tokens).Select(w => w.ToLowerInvariant()), StringComparer.Ordinal);
        var predictions = ml.Data.CreateEnumerable<Prediction>(model.Transform(ml.Data.LoadFromEnumerable(Rows(test))), reuseRowObject: true);
        int right = 0, total = 0, unseen = 0, unseenRight = 0;
        using var predicted = predictions.GetEnumerator();
        foreach (var sentence in test)
        {
            for (int i = 0; i < sentence.Tokens.Count; i++)
            {
                if (!predicted.MoveNext()) throw new InvalidOperationException("Fewer predictions than test tokens.");
                bool ok = predicted.Current.PredictedTag == sentence.Labels[i];
                right += ok ? 1 : 0;
                total++;
                if (!known.Contains(sentence.Tokens[i].ToLowerInvariant()))
                {
                    unseen++;
                    unseenRight += ok ? 1 : 0;
                }
            }
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"BASELINE task=pos route=OneHotEncoding+SdcaMaximumEntropy accuracy={(double)right / total:F5} oov_accuracy={(double)unseenRight / Math.Max(unseen, 1):F5} " +
            $"n_test={total} n_oov={unseen} passes={Passes} train_s={trainSeconds:F1} train_cpu_s={trainCpuSeconds:F1} total_s={clock.Elapsed.TotalSeconds:F1} " +
            $"peak_rss_mb={PeakRss.Megabytes():F0} threads={args.Threads}"));
        return 0;
    }

    /// <summary>One row per token, built on the fly (the trainer caches the encoded features, not these strings).</summary>
    private static IEnumerable<TokenRow> Rows(IReadOnlyList<TaggedSentence> sentences)
    {
        foreach (var sentence in sentences)
        {
            var words = sentence.Tokens;
            var lower = words.Select(w => w.ToLowerInvariant()).ToArray();
            string At(int i) => i < 0 ? "<s>" : i >= lower.Length ? "</s>" : lower[i];
            for (int i = 0; i < words.Count; i++)
            {
                string w = words[i], l = lower[i];
                yield return new TokenRow
                {
                    Tag = sentence.Labels[i],
                    Context =
                    [
                        "w=" + w, "l=" + l,
                        "p1=" + At(i - 1), "p2=" + At(i - 2), "n1=" + At(i + 1), "n2=" + At(i + 2),
                        "s1=" + l[^Math.Min(1, l.Length)..], "s2=" + l[^Math.Min(2, l.Length)..], "s3=" + l[^Math.Min(3, l.Length)..],
                        "pf=" + l[..Math.Min(3, l.Length)],
                        "cap=" + char.IsUpper(w[0]) + (i == 0 ? "@first" : ""),
                        "upper=" + (w.Any(char.IsLetter) && w.All(c => !char.IsLetter(c) || char.IsUpper(c))),
                        "digit=" + w.Any(char.IsDigit),
                        "hyphen=" + w.Contains('-'),
                    ],
                };
            }
        }
    }

    private sealed class TokenRow
    {
        public string Tag { get; set; } = "";

        [VectorType(Features)]
        public string[] Context { get; set; } = [];
    }

    private sealed class Prediction
    {
        public string PredictedTag { get; set; } = "";
    }
}
