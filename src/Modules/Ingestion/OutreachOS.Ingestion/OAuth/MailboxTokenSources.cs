using System.Collections.Concurrent;

namespace OutreachOS.Ingestion.OAuth;

/// <summary>
/// Gmail bearer tokens per mailbox: a mailbox configured with its own OAuth credential gets its own token source (created
/// on first use, then kept for the process, so its token is cached and refreshed like the shared one); every other
/// mailbox uses the shared source (<c>Ingestion:Gmail:OAuth</c> or the static AccessToken). Matching is case-insensitive.
/// </summary>
internal sealed class MailboxTokenSources : IDisposable
{
    private readonly IAccessTokenSource _shared;
    private readonly IReadOnlyDictionary<string, OAuthClientOptions> _own;
    private readonly Func<OAuthClientOptions, IAccessTokenSource> _create;
    private readonly ConcurrentDictionary<string, Lazy<IAccessTokenSource>> _sources = new(StringComparer.OrdinalIgnoreCase);

    public MailboxTokenSources(IAccessTokenSource shared, IEnumerable<GmailMailbox> mailboxes, Func<OAuthClientOptions, IAccessTokenSource> create)
    {
        _shared = shared;
        _create = create;
        var own = new Dictionary<string, OAuthClientOptions>(StringComparer.OrdinalIgnoreCase);
        foreach (var m in mailboxes)
        {
            if (m.OAuth is not null)
            {
                own[m.EmailAddress.Trim()] = m.OAuth;
            }
        }
        _own = own;
    }

    /// <summary>Every mailbox on one source (no per-mailbox credentials).</summary>
    public static MailboxTokenSources Single(IAccessTokenSource shared) => new(shared, [], _ => shared);

    public IAccessTokenSource For(string mailbox)
    {
        var key = mailbox.Trim();
        return _own.TryGetValue(key, out var options)
            ? _sources.GetOrAdd(key, _ => new Lazy<IAccessTokenSource>(() => _create(options), LazyThreadSafetyMode.ExecutionAndPublication)).Value
            : _shared;
    }

    public void Dispose()
    {
        foreach (var source in _sources.Values.Where(l => l.IsValueCreated).Select(l => l.Value).OfType<IDisposable>())
        {
            source.Dispose();
        }
    }
}
