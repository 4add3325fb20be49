namespace Microsoft.ML.Recurrent.Serving;

/// <summary>Bounds on one fetch of a <see cref="UriModelSource"/>: how long it may take and how large the model may be.</summary>
public sealed class UriModelSourceOptions
{
    /// <summary>The default <see cref="Timeout"/>: 100 s, as <see cref="HttpClient.Timeout"/>'s default.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(100);

    /// <summary>The default <see cref="MaxModelBytes"/>: 1 GiB.</summary>
    public const long DefaultMaxModelBytes = 1L << 30;

    private TimeSpan _timeout = DefaultTimeout;
    private long _maxModelBytes = DefaultMaxModelBytes;

    /// <summary>
    /// How long one fetch may take, from sending the request to the last byte of the body (the first load on first
    /// use included). Positive, at most <see cref="int.MaxValue"/> milliseconds; 100 s unless set.
    /// </summary>
    public TimeSpan Timeout
    {
        get => _timeout;
        set
        {
            // HttpClient's own bound on a timeout; a longer one would overflow the cancellation timer.
            if (value <= TimeSpan.Zero || value.TotalMilliseconds > int.MaxValue)
            {
                throw new ArgumentOutOfRangeException(nameof(Timeout), value, $"{nameof(UriModelSourceOptions)}.{nameof(Timeout)} must be positive and at most {int.MaxValue} ms.");
            }
            _timeout = value;
        }
    }

    /// <summary>
    /// The largest model accepted, in bytes: a response whose Content-Length says more is refused before its body is
    /// read, and one without a Content-Length is abandoned as soon as it exceeds this. Positive, at most
    /// <see cref="Array.MaxLength"/> (the model is read into one array); 1 GiB unless set.
    /// </summary>
    public long MaxModelBytes
    {
        get => _maxModelBytes;
        set
        {
            if (value <= 0 || value > Array.MaxLength)
            {
                throw new ArgumentOutOfRangeException(nameof(MaxModelBytes), value, $"{nameof(UriModelSourceOptions)}.{nameof(MaxModelBytes)} must be positive and at most {Array.MaxLength} bytes.");
            }
            _maxModelBytes = value;
        }
    }
}
