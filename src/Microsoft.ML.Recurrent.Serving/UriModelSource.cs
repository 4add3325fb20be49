namespace Microsoft.ML.Recurrent.Serving;

/// <summary>A model fetched over HTTP(S) and fetched again every period (reloaded only when its bytes change).</summary>
public sealed class UriModelSource : ModelSource
{
    private readonly HttpClient _http;
    private readonly TimeSpan _period;

    /// <summary>Fetches <paramref name="uri"/> now and then every <paramref name="period"/>.</summary>
    /// <param name="uri">Where the model is served.</param>
    /// <param name="period">How often to fetch it again; <see cref="Timeout.InfiniteTimeSpan"/> for never.</param>
    /// <param name="handler">The HTTP handler to use (tests, proxies); null for a default one.</param>
    public UriModelSource(Uri uri, TimeSpan period, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (period <= TimeSpan.Zero && period != Timeout.InfiniteTimeSpan) throw new ArgumentOutOfRangeException(nameof(period), "The period must be positive.");
        Uri = uri;
        _period = period;
        // Bounded: a fetch that hangs must not hold the model's reload lock for the default 100 s.
        _http = handler is null ? new HttpClient() : new HttpClient(handler);
        _http.Timeout = TimeSpan.FromSeconds(30);
    }

    /// <summary>Where the model is fetched from.</summary>
    public Uri Uri { get; }

    /// <inheritdoc/>
    public override string Description => Uri.ToString();

    /// <inheritdoc/>
    public override ModelSnapshot Read(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Uri);
        using var response = _http.Send(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        using var body = response.Content.ReadAsStream(cancellationToken);
        using var bytes = new MemoryStream();
        body.CopyTo(bytes);
        return new ModelSnapshot(bytes.ToArray(), response.Content.Headers.LastModified);
    }

    /// <inheritdoc/>
    public override IDisposable? Watch(Action changed)
    {
        if (_period == Timeout.InfiniteTimeSpan) return null;
        // One-shot and re-armed after each fetch, so that a slow server never piles up overlapping fetches.
        Timer? timer = null;
        timer = new Timer(_ =>
        {
            changed();
            try
            {
                timer!.Change(_period, Timeout.InfiniteTimeSpan);
            }
            catch (ObjectDisposedException)
            {
                // Stopped while fetching.
            }
        });
        timer.Change(_period, Timeout.InfiniteTimeSpan);
        return timer;
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing) _http.Dispose();
    }
}
