using System.Globalization;

namespace Microsoft.ML.Recurrent.Serving;

/// <summary>
/// A model fetched over HTTP(S) and fetched again every period on a background task (reloaded only when its bytes
/// change). Every fetch is bounded by <see cref="UriModelSourceOptions.Timeout"/> and
/// <see cref="UriModelSourceOptions.MaxModelBytes"/>.
/// </summary>
public sealed class UriModelSource : ModelSource
{
    // Bodies are copied in pieces of this size, so that a body over the limit is abandoned within one piece of it.
    private const int ChunkBytes = 81920;
    private readonly HttpClient _http;
    private readonly TimeSpan _period;
    private readonly TimeSpan _timeout;
    private readonly long _maxBytes;

    /// <summary>Fetches <paramref name="uri"/> on first use and then every <paramref name="period"/>.</summary>
    /// <param name="uri">Where the model is served.</param>
    /// <param name="period">How often to fetch it again; <see cref="Timeout.InfiniteTimeSpan"/> for never.</param>
    /// <param name="options">The timeout and size limit of each fetch; null for the defaults (100 s, 1 GiB).</param>
    /// <param name="handler">The HTTP handler to use (tests, proxies); null for a default one.</param>
    public UriModelSource(Uri uri, TimeSpan period, UriModelSourceOptions? options = null, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (period <= TimeSpan.Zero && period != Timeout.InfiniteTimeSpan) throw new ArgumentOutOfRangeException(nameof(period), "The period must be positive.");
        Uri = uri;
        _period = period;
        // Copied: the options object may be changed or shared after this source is made.
        options ??= new UriModelSourceOptions();
        _timeout = options.Timeout;
        _maxBytes = options.MaxModelBytes;
        // HttpClient's own timeout ends at the response headers; ours also covers the body, so it replaces it.
        _http = handler is null ? new HttpClient() : new HttpClient(handler);
        _http.Timeout = Timeout.InfiniteTimeSpan;
    }

    /// <summary>Where the model is fetched from.</summary>
    public Uri Uri { get; }

    /// <inheritdoc/>
    public override string Description => Uri.ToString();

    /// <inheritdoc/>
    /// <exception cref="TimeoutException">The fetch took longer than <see cref="UriModelSourceOptions.Timeout"/>.</exception>
    /// <exception cref="InvalidDataException">The model is larger than <see cref="UriModelSourceOptions.MaxModelBytes"/>.</exception>
    /// <exception cref="HttpRequestException">The server could not be reached or answered with an error status.</exception>
    public override async Task<ModelSnapshot> ReadAsync(CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_timeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, Uri);
            // Headers first: a Content-Length over the limit is refused before any of the body is read.
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
            response.EnsureSuccessStatusCode();
            if (response.Content.Headers.ContentLength is long declared && declared > _maxBytes) throw TooLarge($"its Content-Length is {declared} bytes");
            var body = await response.Content.ReadAsStreamAsync(deadline.Token).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                return new ModelSnapshot(await ReadBoundedAsync(body, deadline.Token).ConfigureAwait(false), response.Content.Headers.LastModified);
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(string.Create(CultureInfo.InvariantCulture,
                $"Fetching the model from {Uri} took longer than the timeout of {_timeout.TotalSeconds:0.###} s ({nameof(UriModelSourceOptions)}.{nameof(UriModelSourceOptions.Timeout)})."));
        }
    }

    // The body without trusting its length: a server may send no Content-Length, or more than it declared.
    private async Task<byte[]> ReadBoundedAsync(Stream body, CancellationToken cancellationToken)
    {
        using var bytes = new MemoryStream();
        var chunk = new byte[ChunkBytes];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (bytes.Length + read > _maxBytes) throw TooLarge("its body goes on past that");
            bytes.Write(chunk, 0, read);
        }
        return bytes.ToArray();
    }

    private InvalidDataException TooLarge(string why)
        => new($"The model at {Uri} is refused: it is larger than the size limit of {_maxBytes} bytes ({nameof(UriModelSourceOptions)}.{nameof(UriModelSourceOptions.MaxModelBytes)}); {why}.");

    /// <inheritdoc/>
    public override IDisposable? Watch(Func<CancellationToken, Task> changed)
    {
        ArgumentNullException.ThrowIfNull(changed);
        return _period == Timeout.InfiniteTimeSpan ? null : new Poller(_period, changed);
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing) _http.Dispose();
    }

    /// <summary>
    /// A background loop: wait a period, fetch, repeat. Each wait starts after the previous fetch has ended, so a
    /// slow server never piles up overlapping fetches; disposing cancels the wait or the fetch in flight.
    /// </summary>
    private sealed class Poller : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();

        public Poller(TimeSpan period, Func<CancellationToken, Task> changed)
            => _ = Task.Run(() => PollAsync(period, changed, _stop.Token));

        private static async Task PollAsync(TimeSpan period, Func<CancellationToken, Task> changed, CancellationToken stop)
        {
            try
            {
                while (true)
                {
                    await Task.Delay(period, stop).ConfigureAwait(false);
                    await changed(stop).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Disposed.
            }
        }

        // Cancelled, not disposed: the loop may still be reading the token as it winds down.
        public void Dispose() => _stop.Cancel();
    }
}
