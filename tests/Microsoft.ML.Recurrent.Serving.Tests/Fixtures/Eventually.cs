namespace Microsoft.ML.Recurrent.Serving.Tests.Fixtures;

/// <summary>Bounded polling for things that happen on another thread (file watchers, timers).</summary>
internal static class Eventually
{
    public static void True(Func<bool> condition, string what, double seconds = 10)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Waited {seconds} s for: {what}.");
            Thread.Sleep(25);
        }
    }
}
