using System.Globalization;
using System.Reflection;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Recurrent;

/// <summary>
/// Reaches the host environment behind an ML.NET catalog so that training progress shows in
/// <see cref="MLContext.Log"/>. ML.NET keeps it behind the internal <c>IInternalCatalog</c> interface, so it is
/// read by reflection; when that fails (a future ML.NET reshaping its internals) progress still goes to
/// <see cref="IProgress{T}"/> and only the log lines are lost.
/// </summary>
internal static class MLNetLog
{
    private const string ChannelName = "Microsoft.ML.Recurrent";

    /// <summary>The catalog's <see cref="IHostEnvironment"/>, or null when it cannot be reached.</summary>
    public static IHostEnvironment? TryGetEnvironment(object catalog)
    {
        try
        {
            var property = catalog.GetType()
                .GetInterface("Microsoft.ML.Data.IInternalCatalog")
                ?.GetProperty("Environment", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance);
            return property?.GetValue(catalog) as IHostEnvironment;
        }
        catch (Exception e) when (e is TargetInvocationException or MemberAccessException or AmbiguousMatchException)
        {
            return null;
        }
    }

    /// <summary>Opens a channel (the log's source name) on <paramref name="environment"/>, or returns null when there is none.</summary>
    public static IChannel? TryStart(IHostEnvironment? environment, string channelName = ChannelName)
    {
        try
        {
            return environment?.Start(channelName);
        }
        catch (ObjectDisposedException)
        {
            return null;
        }
    }

    /// <summary>A progress sink that forwards every report to <paramref name="user"/> (synchronously, on the
    /// training thread) and writes it as one line to <paramref name="channel"/>.</summary>
    public static IProgress<TrainingProgress>? Combine(IProgress<TrainingProgress>? user, IChannel? channel)
        => channel is null ? user : new ForwardingProgress(user, channel);

    /// <summary>One human-readable line for a progress report.</summary>
    public static string Format(TrainingProgress p)
    {
        var inv = CultureInfo.InvariantCulture;
        string line = string.Format(inv, "iteration {0}, epoch {1:F2}, train loss {2:F4}", p.Iteration, p.Epoch, p.TrainLoss);
        if (p.ValidationLoss is double val)
        {
            line += string.Format(inv, ", validation loss {0:F4} ({1:F3} bits/char)", val, p.ValidationBitsPerChar);
        }
        line += string.Format(inv, ", {0:F0} chars/s, elapsed {1}", p.CharsPerSecond, FormatTime(p.Elapsed));
        if (p.Remaining is TimeSpan left)
        {
            line += string.Format(inv, ", about {0} left", FormatTime(left));
        }
        return line;
    }

    /// <summary>h:mm:ss, hours not wrapping at a day.</summary>
    public static string FormatTime(TimeSpan t)
        => string.Format(CultureInfo.InvariantCulture, "{0}:{1:mm\\:ss}", (long)t.TotalHours, t);

    private sealed class ForwardingProgress(IProgress<TrainingProgress>? user, IChannel channel) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            user?.Report(value);
            channel.Info(MessageSensitivity.None, Format(value));
        }
    }
}
