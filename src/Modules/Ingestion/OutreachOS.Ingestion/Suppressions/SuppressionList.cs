using System.Security.Cryptography;
using System.Text;
using Npgsql;
using NpgsqlTypes;
using OutreachOS.BuildingBlocks.Documents;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Privacy;
using OutreachOS.Ingestion.Accepting;
using OutreachOS.Ingestion.Contracts;

namespace OutreachOS.Ingestion.Suppressions;

/// <summary>An address was put on the organization's do-not-contact list.</summary>
[EventName("address_suppressed.v1")]
internal sealed record AddressSuppressed(string Email, string Source, string? Reason, Guid? InboundId, Guid? ActorKeyId, DateTimeOffset At);

/// <summary>An ADMIN took an address off the list again (the contact opted back in, or it was added by mistake).</summary>
[EventName("address_suppression_lifted.v1")]
internal sealed record AddressSuppressionLifted(string Email, string Reason, Guid ActorKeyId, DateTimeOffset At);

/// <summary>One stream per address and organization: <c>suppression-{first 32 hex digits of SHA-256(address)}</c>.</summary>
internal static class SuppressionStreams
{
    public const string StreamType = "suppression";

    public static readonly Type[] EventTypes = [typeof(AddressSuppressed), typeof(AddressSuppressionLifted)];

    /// <summary>SHA-256 of the address's <see cref="MatchKey"/>: the key of the list, which outlives the address's erasure.</summary>
    public static byte[] Hash(string email) => SHA256.HashData(Encoding.UTF8.GetBytes(MatchKey(email)));

    /// <summary>
    /// The hashes an entry of the address may be stored under: <see cref="Hash"/>, and for a non-ASCII address also the
    /// hash of its <see cref="EmailAddresses.Canonical"/> form as written, which is what entries stored before the match
    /// key were keyed by. For an ASCII address both are one.
    /// </summary>
    public static byte[][] Hashes(string email)
    {
        var hash = Hash(email);
        var legacy = SHA256.HashData(Encoding.UTF8.GetBytes(EmailAddresses.Canonical(email)));
        return hash.AsSpan().SequenceEqual(legacy) ? [hash] : [hash, legacy];
    }

    /// <summary>
    /// The form addresses are matched by: <see cref="EmailAddresses.Canonical"/> (trimmed, lower case), and for a
    /// non-ASCII address also composed as Unicode NFC composes (<see cref="CanonicalComposition"/>: a composed
    /// "é" and "e" + combining accent are one address) with the domain in
    /// its ASCII (IDNA, punycode) form, so that <c>exämple.com</c> and <c>xn--exmple-cua.com</c> match. An ASCII address is
    /// returned as <see cref="EmailAddresses.Canonical"/> returns it, so its hash is the one stored before. Plus tags
    /// are kept: <c>a+news@</c> and <c>a@</c> may be different people's. A domain IDNA refuses stays as it is.
    /// </summary>
    public static string MatchKey(string email) => EmailAddresses.MatchKey(email);

    public static string StreamId(string email) => "suppression-" + Convert.ToHexStringLower(Hash(email))[..32];

    public static readonly Migration Migration = new(403, "ingestion suppression list", """
        CREATE TABLE oos.ingestion_suppressions (
            tenant_id     uuid        NOT NULL,
            address_hash  bytea       NOT NULL,
            email         text,
            source        text        NOT NULL,
            reason        text,
            inbound_id    uuid,
            suppressed_at timestamptz NOT NULL,
            PRIMARY KEY (tenant_id, address_hash)
        );
        CREATE INDEX ingestion_suppressions_recent ON oos.ingestion_suppressions (tenant_id, suppressed_at DESC, address_hash);
        """);
}

/// <summary>
/// Keeps <c>oos.ingestion_suppressions</c> consistent with the write: a suppression applies to the very next request. The
/// first suppression of an address is kept (a repeat adds history, not a new date); a lift deletes the row.
/// </summary>
internal sealed class SuppressionProjection : IBatchedInlineProjection
{
    public IReadOnlyCollection<Type> EventTypes => SuppressionStreams.EventTypes;

    public void AddStatements(ICollection<NpgsqlBatchCommand> batch, IReadOnlyList<StoredEvent> events)
    {
        foreach (var e in events)
        {
            switch (e.Data)
            {
                case AddressSuppressed s:
                    // An erased entry (email NULL) gets its address back only if the person writes again.
                    batch.Add(new NpgsqlBatchCommand("""
                        INSERT INTO oos.ingestion_suppressions AS s (tenant_id, address_hash, email, source, reason, inbound_id, suppressed_at)
                        VALUES ($1, $2, $3, $4, $5, $6, $7)
                        ON CONFLICT (tenant_id, address_hash) DO UPDATE SET email = coalesce(s.email, EXCLUDED.email)
                        """)
                    {
                        Parameters =
                        {
                            new NpgsqlParameter { Value = e.TenantId },
                            new NpgsqlParameter { Value = SuppressionStreams.Hash(s.Email) },
                            new NpgsqlParameter { Value = EmailAddresses.Canonical(s.Email) },
                            new NpgsqlParameter { Value = s.Source },
                            new NpgsqlParameter { Value = (object?)s.Reason ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text },
                            new NpgsqlParameter { Value = (object?)s.InboundId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid },
                            new NpgsqlParameter { Value = s.At },
                        },
                    });
                    break;
                case AddressSuppressionLifted l:
                    batch.Add(new NpgsqlBatchCommand("DELETE FROM oos.ingestion_suppressions WHERE tenant_id = $1 AND address_hash = ANY($2)")
                    {
                        Parameters =
                        {
                            new NpgsqlParameter { Value = e.TenantId },
                            new NpgsqlParameter { Value = SuppressionStreams.Hashes(l.Email), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea },
                        },
                    });
                    break;
            }
        }
    }
}

/// <summary>A page of the list, newest first; <see cref="Next"/> continues it (null on the last page).</summary>
internal sealed record SuppressionPage(IReadOnlyList<SuppressionEntry> Items, string? Next);

/// <summary>
/// The do-not-contact list (ADR 0031): events on one stream per address, read through the inline table. Addresses are
/// compared by hash of their <see cref="SuppressionStreams.MatchKey"/> (trimmed, lower case; non-ASCII ones also NFC, the
/// domain in ASCII), so an erased entry still matches; an entry stored before the match key under another hash of a
/// non-ASCII address is still found by the same spelling (<see cref="SuppressionStreams.Hashes"/>).
/// </summary>
internal sealed class SuppressionList(NpgsqlDataSource dataSource, IEventStore store, TimeProvider clock) : ISuppressionList
{
    private const string Columns = "email, source, reason, inbound_id, suppressed_at";

    public async Task<SuppressionEntry?> FindAsync(Guid organizationId, string email, CancellationToken ct = default)
    {
        // Both hashes of a non-ASCII address may hold an entry (one stored before the match key): the first one stands.
        await using var cmd = dataSource.CreateCommand(
            $"SELECT {Columns} FROM oos.ingestion_suppressions WHERE tenant_id = $1 AND address_hash = ANY($2) ORDER BY suppressed_at LIMIT 1");
        cmd.Parameters.Add(new NpgsqlParameter { Value = organizationId });
        cmd.Parameters.Add(new NpgsqlParameter { Value = SuppressionStreams.Hashes(email), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? Read(r) : null;
    }

    public async Task<SuppressionPage> ListAsync(Guid organizationId, string? after, int limit, CancellationToken ct)
    {
        var (at, hash) = ParseCursor(after);
        await using var cmd = dataSource.CreateCommand($"""
            SELECT {Columns}, address_hash FROM oos.ingestion_suppressions
            WHERE tenant_id = $1 AND ($2::timestamptz IS NULL OR (suppressed_at, address_hash) < ($2, $3))
            ORDER BY suppressed_at DESC, address_hash DESC LIMIT $4
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = organizationId });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)at ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        cmd.Parameters.Add(new NpgsqlParameter { Value = hash ?? [], NpgsqlDbType = NpgsqlDbType.Bytea });
        cmd.Parameters.Add(new NpgsqlParameter { Value = limit + 1 });
        var items = new List<SuppressionEntry>();
        byte[]? lastHash = null;
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            if (items.Count == limit)
            {
                var last = items[^1];
                return new SuppressionPage(items, KeysetCursor.Format(last.SuppressedAt, Convert.ToHexStringLower(lastHash!)));
            }
            items.Add(Read(r));
            lastHash = r.GetFieldValue<byte[]>(5);
        }
        return new SuppressionPage(items, null);
    }

    /// <summary>Whether a cursor's key is an address hash (64 hex digits).</summary>
    public static bool IsCursorKey(string key) => key.Length == 64 && key.All(char.IsAsciiHexDigit);

    /// <summary>The (time, address hash) of a <see cref="ListAsync"/> cursor; nulls without one (or with a malformed one).</summary>
    private static (DateTimeOffset?, byte[]?) ParseCursor(string? cursor) =>
        KeysetCursor.TryParse(cursor, out var at, out var hex) && IsCursorKey(hex) ? (at, Convert.FromHexString(hex)) : (null, null);

    /// <summary>Suppresses the address; an address already on the list is left as it is. Returns the entry and whether it is new.</summary>
    public async Task<(SuppressionEntry Entry, bool Created)> SuppressAsync(Guid organizationId, string email, string? reason, Guid actorKeyId, CancellationToken ct)
    {
        if (await FindAsync(organizationId, email, ct) is { } existing)
        {
            return (existing, false);
        }
        var canonical = EmailAddresses.Canonical(email);
        await store.AppendAsync(organizationId, SuppressionStreams.StreamId(canonical), SuppressionStreams.StreamType, ExpectedVersion.Any,
            [EventToAppend.Create(new AddressSuppressed(canonical, SuppressionSources.Api, reason, null, actorKeyId, clock.GetUtcNow()))], ct);
        // Concurrent adds of one address both append (history) but the first one's row stands: answer with what is stored.
        return (await FindAsync(organizationId, canonical, ct) ?? throw new InvalidOperationException("The suppression was appended but not projected."), true);
    }

    /// <summary>
    /// Suppresses many addresses at once (an import from another tool): addresses
    /// already listed are left as they are, the others are appended in transactions of <see cref="ImportChunk"/> streams.
    /// Repeating an import adds nothing. Returns how many were added and how many were listed already.
    /// </summary>
    public async Task<(int Added, int AlreadyListed)> ImportAsync(Guid organizationId, IReadOnlyList<(string Email, string? Reason)> rows, Guid actorKeyId,
        CancellationToken ct)
    {
        int added = 0, listed = 0;
        var distinct = rows.Select(r => (Email: EmailAddresses.Canonical(r.Email), r.Reason)).DistinctBy(r => SuppressionStreams.MatchKey(r.Email));
        foreach (var chunk in distinct.Select(r => (r.Email, r.Reason, Hashes: SuppressionStreams.Hashes(r.Email))).Chunk(ImportChunk))
        {
            await using var cmd = dataSource.CreateCommand("SELECT address_hash FROM oos.ingestion_suppressions WHERE tenant_id = $1 AND address_hash = ANY($2)");
            cmd.Parameters.Add(new NpgsqlParameter { Value = organizationId });
            cmd.Parameters.Add(new NpgsqlParameter { Value = chunk.SelectMany(r => r.Hashes).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
            var existing = new HashSet<string>(StringComparer.Ordinal);
            await using (var r = await cmd.ExecuteReaderAsync(ct))
            {
                while (await r.ReadAsync(ct))
                {
                    existing.Add(Convert.ToHexString(r.GetFieldValue<byte[]>(0)));
                }
            }
            var now = clock.GetUtcNow();
            var appends = new List<StreamAppend>();
            foreach (var (email, reason, hashes) in chunk)
            {
                if (hashes.Any(h => existing.Contains(Convert.ToHexString(h))))
                {
                    listed++;
                    continue;
                }
                appends.Add(new StreamAppend(organizationId, SuppressionStreams.StreamId(email), SuppressionStreams.StreamType, ExpectedVersion.Any,
                    [EventToAppend.Create(new AddressSuppressed(email, SuppressionSources.Import, reason, null, actorKeyId, now))]));
            }
            if (appends.Count > 0)
            {
                await store.AppendManyAsync(appends, ct);
                added += appends.Count;
            }
        }
        return (added, listed);
    }

    /// <summary>Streams appended per transaction by <see cref="ImportAsync"/>.</summary>
    public const int ImportChunk = 1000;

    /// <summary>Takes the address off the list; false when it was not on it.</summary>
    public async Task<bool> LiftAsync(Guid organizationId, string email, string reason, Guid actorKeyId, CancellationToken ct)
    {
        if (await FindAsync(organizationId, email, ct) is null)
        {
            return false;
        }
        var canonical = EmailAddresses.Canonical(email);
        await store.AppendAsync(organizationId, SuppressionStreams.StreamId(canonical), SuppressionStreams.StreamType, ExpectedVersion.Any,
            [EventToAppend.Create(new AddressSuppressionLifted(canonical, reason, actorKeyId, clock.GetUtcNow()))], ct);
        return true;
    }

    public Task SuppressFromInboundAsync(NpgsqlTransaction transaction, Guid organizationId, string email, Guid inboundId, DateTimeOffset at,
        CancellationToken ct = default)
    {
        var canonical = EmailAddresses.Canonical(email);
        var suppressed = new AddressSuppressed(canonical, SuppressionSources.InboundUnsubscribe, "asked to unsubscribe", inboundId, null, at);
        // A fixed event id per message: a retried triage of the same message appends nothing.
        return store.AppendManyAsync(transaction,
        [
            new StreamAppend(organizationId, SuppressionStreams.StreamId(canonical), SuppressionStreams.StreamType, ExpectedVersion.Any,
                [new EventToAppend(DeterministicId.For(inboundId, "suppression"), suppressed)]),
        ], ct);
    }

    private static SuppressionEntry Read(NpgsqlDataReader r) => new(
        r.IsDBNull(0) ? null : r.GetString(0),
        r.GetString(1),
        r.IsDBNull(2) ? null : r.GetString(2),
        r.IsDBNull(3) ? null : r.GetGuid(3),
        r.GetFieldValue<DateTimeOffset>(4));
}
