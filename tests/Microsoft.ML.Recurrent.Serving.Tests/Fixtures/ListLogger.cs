using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Microsoft.ML.Recurrent.Serving.Tests.Fixtures;

/// <summary>A logger that keeps what it is told, for tests that check what was logged and why.</summary>
internal sealed class ListLogger<T> : ILogger<T>
{
    public ConcurrentQueue<(LogLevel Level, string Message)> Entries { get; } = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        => Entries.Enqueue((logLevel, formatter(state, exception)));
}
