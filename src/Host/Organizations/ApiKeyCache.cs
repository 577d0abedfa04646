using System.Collections.Concurrent;
using System.Globalization;
using Npgsql;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Postgres;

namespace OutreachOS.Host.Organizations;

/// <summary>
/// The keys this host authenticated recently, so that a request does not pay a database round trip to learn again what
/// it learned a moment ago (ADR 0009, addendum "a cache that forgets at commit"). It is only used while this host
/// listens to <see cref="Channel"/>: every change of <c>oos.api_keys</c> or <c>oos.organizations</c> (a revocation, a
/// rebuild, a hand-made <c>UPDATE</c>) notifies it through a statement trigger in the changing transaction, delivered at
/// commit, and the whole cache is forgotten. A revocation on this host forgets at once, before its response; one on
/// another host reaches this one with the notification (milliseconds). While the listener is not connected, nothing is
/// cached and every request reads the table, as before the cache. Unknown keys are never cached (a guessing client cannot
/// fill memory), entries expire after <see cref="ApiKeyCacheOptions.EntryLifetime"/> and the cache holds at most
/// <see cref="ApiKeyCacheOptions.MaxEntries"/> keys.
/// </summary>
internal sealed class ApiKeyCache(ApiKeyCacheOptions options, TimeProvider clock)
{
    public const string Channel = "oos_api_keys_changed";

    /// <summary>The notifying triggers (a statement trigger sends one notification per changing statement; PostgreSQL folds duplicates of a transaction).</summary>
    public static readonly Migration Migration = new(24, "api key cache invalidation", $"""
        CREATE FUNCTION oos.notify_api_keys_changed() RETURNS trigger LANGUAGE plpgsql AS $fn$
        BEGIN
            PERFORM pg_notify('{Channel}', TG_TABLE_NAME);
            RETURN NULL;
        END
        $fn$;
        CREATE TRIGGER api_keys_changed AFTER UPDATE OR DELETE OR TRUNCATE ON oos.api_keys
            FOR EACH STATEMENT EXECUTE FUNCTION oos.notify_api_keys_changed();
        CREATE TRIGGER organizations_changed AFTER UPDATE OR DELETE OR TRUNCATE ON oos.organizations
            FOR EACH STATEMENT EXECUTE FUNCTION oos.notify_api_keys_changed();
        """);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private long _generation;
    private int _listening;
    private long _hits;

    private sealed record Entry(AuthenticatedKey Key, long ExpiresAt);

    /// <summary>Whether entries are kept: enabled in configuration and the listener connected.</summary>
    public bool Active => options.Enabled && Volatile.Read(ref _listening) == 1;

    /// <summary>Requests answered from the cache since start (tests and diagnostics).</summary>
    public long Hits => Interlocked.Read(ref _hits);

    public int Count => _entries.Count;

    /// <summary>Taken before reading the table: <see cref="Add"/> keeps the answer only if nothing was forgotten in between.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    public bool TryGet(string verifier, out AuthenticatedKey key)
    {
        if (Active && _entries.TryGetValue(verifier, out var entry))
        {
            if (clock.GetTimestamp() < entry.ExpiresAt)
            {
                Interlocked.Increment(ref _hits);
                key = entry.Key;
                return true;
            }
            _entries.TryRemove(KeyValuePair.Create(verifier, entry));
        }
        key = null!;
        return false;
    }

    /// <summary>
    /// Keeps what a read of the table found, unless a change was announced since <paramref name="generationBeforeRead"/>:
    /// that read may have started before the change committed. A change announced while this runs is seen by the second
    /// check, which takes the entry out again.
    /// </summary>
    public void Add(string verifier, AuthenticatedKey key, long generationBeforeRead)
    {
        if (!Active || Generation != generationBeforeRead)
        {
            return;
        }
        var now = clock.GetTimestamp();
        if (_entries.Count >= options.MaxEntries)
        {
            // Full: drop what has expired (keys nobody presented again), and keep nothing new if that freed no room.
            foreach (var (k, e) in _entries)
            {
                if (now >= e.ExpiresAt)
                {
                    _entries.TryRemove(KeyValuePair.Create(k, e));
                }
            }
            if (_entries.Count >= options.MaxEntries)
            {
                return;
            }
        }
        var expires = now + (long)(options.EntryLifetime.TotalSeconds * clock.TimestampFrequency);
        _entries[verifier] = new Entry(key, expires);
        if (Generation != generationBeforeRead || !Active)
        {
            _entries.TryRemove(verifier, out _);
        }
    }

    /// <summary>Forgets every key: a key or an organization changed (here or on another host), or the listener reconnected.</summary>
    public void Invalidate()
    {
        Interlocked.Increment(ref _generation);
        _entries.Clear();
    }

    /// <summary>The listener's state: entries are kept only while it listens; either change forgets everything.</summary>
    internal void SetListening(bool listening)
    {
        if (!listening)
        {
            Volatile.Write(ref _listening, 0);
        }
        Invalidate();
        if (listening)
        {
            Volatile.Write(ref _listening, 1);
        }
    }
}

internal sealed record ApiKeyCacheOptions(bool Enabled, TimeSpan EntryLifetime, int MaxEntries)
{
    public static ApiKeyCacheOptions From(IConfiguration configuration)
    {
        var section = configuration.GetSection("Auth:KeyCache");
        var seconds = section.GetValue("Seconds", 60.0);
        var max = section.GetValue("MaxEntries", 10_000);
        if (seconds is <= 0 or > 3600 || double.IsNaN(seconds))
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"Auth:KeyCache:Seconds must be more than 0 and at most 3600 (was {seconds}); set Auth:KeyCache:Enabled=false to turn the cache off."));
        }
        if (max < 1)
        {
            throw new InvalidOperationException($"Auth:KeyCache:MaxEntries must be at least 1 (was {max}).");
        }
        return new ApiKeyCacheOptions(section.GetValue("Enabled", true), TimeSpan.FromSeconds(seconds), max);
    }
}

/// <summary>
/// Listens to <see cref="ApiKeyCache.Channel"/> on a connection of its own and tells the cache when it may keep keys.
/// A connection that dies while idle is found by a probe every <see cref="ProbeInterval"/>; until then an entry lives at
/// most its lifetime, and the cache forgets everything when the failure is seen.
/// </summary>
internal sealed class ApiKeyChangeListener(NpgsqlDataSource dataSource, ApiKeyCache cache, ApiKeyCacheOptions options, ILogger<ApiKeyChangeListener> logger)
    : BackgroundService
{
    internal static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Enabled)
        {
            logger.LogInformation("The API key cache is off (Auth:KeyCache:Enabled=false): every request reads oos.api_keys");
            return;
        }
        try
        {
            await NotificationListener.RunAsync(dataSource, [ApiKeyCache.Channel], _ => cache.Invalidate(), () => cache.SetListening(true),
                (ex, backoff) =>
                {
                    cache.SetListening(false);
                    logger.LogWarning(ex, "The API key cache's listener failed; keys are read from the database on every request until it reconnects in {Backoff}", backoff);
                },
                ProbeInterval, stoppingToken);
        }
        finally
        {
            cache.SetListening(false);
        }
    }
}
