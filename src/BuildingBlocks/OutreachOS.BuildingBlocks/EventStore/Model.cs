using System.Text;
using System.Text.Json;
using OutreachOS.BuildingBlocks.Json;

namespace OutreachOS.BuildingBlocks.EventStore;

/// <summary>The expected version of a stream when appending: any, none yet, or exactly N events.</summary>
public readonly record struct ExpectedVersion
{
    private ExpectedVersion(long value) => Value = value;

    /// <summary>-2 = any, -1 = the stream must not exist, n ≥ 0 = the stream must be at version n (0 = empty).</summary>
    public long Value { get; }

    public static ExpectedVersion Any { get; } = new(-2);
    public static ExpectedVersion NoStream { get; } = new(-1);
    public static ExpectedVersion Exactly(long version)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(version);
        return new ExpectedVersion(version);
    }

    public bool IsAny => Value == -2;
    public bool IsNoStream => Value == -1;

    public bool Matches(long actual) => Value switch
    {
        -2 => true,
        -1 => actual == 0,
        _ => actual == Value,
    };

    public override string ToString() => Value switch { -2 => "any", -1 => "no stream", _ => Value.ToString(System.Globalization.CultureInfo.InvariantCulture) };
}

/// <summary>
/// A point in the global log. Ordered by (transaction id, sequence): a reader that only delivers events of transactions
/// older than every running transaction never skips one that commits late (see ADR 0002).
/// </summary>
public readonly record struct GlobalPosition(ulong Transaction, long Sequence) : IComparable<GlobalPosition>
{
    public static GlobalPosition Start { get; } = new(0, 0);

    public int CompareTo(GlobalPosition other)
    {
        var c = Transaction.CompareTo(other.Transaction);
        return c != 0 ? c : Sequence.CompareTo(other.Sequence);
    }

    public static bool operator <(GlobalPosition a, GlobalPosition b) => a.CompareTo(b) < 0;
    public static bool operator >(GlobalPosition a, GlobalPosition b) => a.CompareTo(b) > 0;
    public static bool operator <=(GlobalPosition a, GlobalPosition b) => a.CompareTo(b) <= 0;
    public static bool operator >=(GlobalPosition a, GlobalPosition b) => a.CompareTo(b) >= 0;

    public override string ToString() => $"{Transaction}:{Sequence}";
}

/// <summary>An event to append: its id makes the append idempotent (a retried append of the same ids is a no-op).</summary>
public sealed record EventToAppend(Guid EventId, object Data, IReadOnlyDictionary<string, string>? Metadata = null)
{
    // The canonical payload and the object it was made from: a copy made with `with { Data = … }` carries the field along,
    // and must not reuse it. One reference, so that a reader on another thread sees either no cache or a whole one.
    private Canonical? _canonical;

    public static EventToAppend Create(object data, IReadOnlyDictionary<string, string>? metadata = null) =>
        new(Guid.CreateVersion7(), data, metadata);

    /// <summary>
    /// Serialises and canonicalises the payload now, on the caller's thread, and keeps the bytes for the append. For events
    /// that another component appends on the caller's behalf (the credit ledger's group transactions carry several
    /// callers' events): their serialisation then happens in parallel, before the group's locks are taken, instead of in
    /// the transaction everyone waits for. The payload must not change afterwards (events are immutable records).
    /// </summary>
    public EventToAppend Canonicalized()
    {
        _ = CanonicalPayload();
        return this;
    }

    // Value equality as before the cache existed: the cache is not part of the event.
    public bool Equals(EventToAppend? other) =>
        other is not null && EventId == other.EventId && Equals(Data, other.Data) && Equals(Metadata, other.Metadata);

    public override int GetHashCode() => HashCode.Combine(EventId, Data, Metadata);

    /// <summary>The payload as canonical JSON (the bytes that are stored and hashed).</summary>
    internal byte[] CanonicalPayload()
    {
        if (Volatile.Read(ref _canonical) is { } c && ReferenceEquals(c.Data, Data))
        {
            return c.Bytes;
        }

        var bytes = CanonicalJson.Serialize(Data, Data.GetType(), OutreachJson.Options);
        Volatile.Write(ref _canonical, new Canonical(Data, bytes));
        return bytes;
    }

    private sealed record Canonical(object Data, byte[] Bytes);
}

/// <summary>Appends to one stream, for <see cref="IEventStore.AppendManyAsync"/>.</summary>
public sealed record StreamAppend(Guid TenantId, string StreamId, string StreamType, ExpectedVersion Expected, IReadOnlyList<EventToAppend> Events)
{
    /// <summary>
    /// The stream's head as the caller read it (the last event's version and hash): the store then tries the append at that
    /// head in one round trip, without reading the head first, and takes the general path (with <see cref="Expected"/>) if
    /// the stream moved since — same outcome: a retry is recognised, a mismatch of an exact version is a conflict, and
    /// <see cref="ExpectedVersion.Any"/> appends at the real head. Used only when <see cref="Expected"/> is Any or that very
    /// version. An event id that exists in another stream then fails the statement, which aborts a caller's transaction.
    /// </summary>
    public (long Version, byte[] Hash)? ReadHead { get; init; }

    /// <summary>The head to try the one-round-trip append at, if the caller gave one.</summary>
    internal (long Version, byte[] Hash)? KnownHead =>
        ReadHead is { Version: > 0 } head && (Expected.IsAny || Expected.Value == head.Version) ? head : null;
}

public sealed record AppendResult(string StreamId, long Version, bool AlreadyAppended);

/// <summary>An event as stored.</summary>
/// <remarks>
/// Events read from the log carry their payload as the stored UTF-8 bytes: <see cref="Json"/> and <see cref="Data"/> are
/// made from them on first use. A subscriber that reads every event of the log but handles a few types then pays for the
/// payloads it uses, not for a string and a typed object of each. Both are pure functions of the bytes, so two threads
/// that race on first use compute the same value.
/// </remarks>
public sealed record StoredEvent
{
    private static readonly object NotYet = new();

    private byte[]? _utf8;
    private readonly Func<string, byte[], object?>? _deserialize;
    private string? _json;
    private object? _data;

    public StoredEvent(long sequence, ulong transaction, Guid eventId, Guid tenantId, string streamId, long version, string eventType,
        string json, IReadOnlyDictionary<string, string> metadata, DateTimeOffset createdAt, byte[] hash, object? data)
        : this(sequence, transaction, eventId, tenantId, streamId, version, eventType, metadata, createdAt, hash)
    {
        _json = json;
        _data = data;
    }

    /// <summary>An event whose payload is the UTF-8 <paramref name="utf8Json"/>; <see cref="Data"/> is
    /// <paramref name="data"/> when given, else <paramref name="deserialize"/>(type, bytes) on first use.</summary>
    internal StoredEvent(long sequence, ulong transaction, Guid eventId, Guid tenantId, string streamId, long version, string eventType,
        byte[] utf8Json, IReadOnlyDictionary<string, string> metadata, DateTimeOffset createdAt, byte[] hash, object? data,
        Func<string, byte[], object?>? deserialize)
        : this(sequence, transaction, eventId, tenantId, streamId, version, eventType, metadata, createdAt, hash)
    {
        _utf8 = utf8Json;
        _data = data ?? (deserialize is null ? null : NotYet);
        _deserialize = deserialize;
    }

    private StoredEvent(long sequence, ulong transaction, Guid eventId, Guid tenantId, string streamId, long version, string eventType,
        IReadOnlyDictionary<string, string> metadata, DateTimeOffset createdAt, byte[] hash)
    {
        Sequence = sequence;
        Transaction = transaction;
        EventId = eventId;
        TenantId = tenantId;
        StreamId = streamId;
        Version = version;
        EventType = eventType;
        Metadata = metadata;
        CreatedAt = createdAt;
        Hash = hash;
    }

    public long Sequence { get; init; }

    public ulong Transaction { get; init; }

    public Guid EventId { get; init; }

    public Guid TenantId { get; init; }

    public string StreamId { get; init; }

    public long Version { get; init; }

    public string EventType { get; init; }

    /// <summary>The payload as JSON text (as stored: canonical for appended events, jsonb's rendering when read).</summary>
    public string Json
    {
        get => Volatile.Read(ref _json) ?? InitJson();
        init
        {
            _json = value;
            _utf8 = null; // a copy with other text: the bytes read are no longer its payload
        }
    }

    public IReadOnlyDictionary<string, string> Metadata { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public byte[] Hash { get; init; }

    /// <summary>The payload as its registered type; null for a type not registered here or a payload that does not read as it.</summary>
    public object? Data
    {
        get
        {
            var data = Volatile.Read(ref _data);
            if (!ReferenceEquals(data, NotYet))
            {
                return data;
            }
            data = _deserialize!(EventType, Utf8Payload);
            Volatile.Write(ref _data, data);
            return data;
        }
        init => _data = value;
    }

    public GlobalPosition Position => new(Transaction, Sequence);

    public string HashHex => Convert.ToHexStringLower(Hash);

    /// <summary>The payload as UTF-8 JSON (the bytes read or appended, when this event has them).</summary>
    internal byte[] Utf8Payload => _utf8 ?? Encoding.UTF8.GetBytes(Json);

    /// <summary>Deserialises the payload as <typeparamref name="T"/> (works for unregistered types too).</summary>
    public T As<T>() => Data is T t ? t : JsonSerializer.Deserialize<T>(Utf8Payload, OutreachJson.Options)!;

    /// <summary>Events are equal when they are the same stored event: same position, identity, stream, payload and hash.</summary>
    public bool Equals(StoredEvent? other) =>
        other is not null && Sequence == other.Sequence && Transaction == other.Transaction && EventId == other.EventId
        && TenantId == other.TenantId && StreamId == other.StreamId && Version == other.Version && EventType == other.EventType
        && CreatedAt == other.CreatedAt && Hash.AsSpan().SequenceEqual(other.Hash) && Json == other.Json;

    public override int GetHashCode() => HashCode.Combine(EventId, Sequence, Version);

    private string InitJson()
    {
        var json = Encoding.UTF8.GetString(_utf8 ?? []);
        Volatile.Write(ref _json, json);
        return json;
    }
}

public sealed record StreamInfo(Guid TenantId, string StreamId, string StreamType, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, bool Archived);

/// <summary>A stream's place in the stream list (newest first, ties by id): what a page of it starts or ends at.</summary>
public readonly record struct StreamListKey(DateTimeOffset CreatedAt, string StreamId)
{
    private const string CursorPrefix = "stream:";

    public static StreamListKey Of(StreamInfo stream) => new(stream.CreatedAt, stream.StreamId);

    /// <summary>An opaque cursor (base64) holding the key: creation time in ticks (exact for PostgreSQL's microseconds) and id.</summary>
    public string ToCursor() =>
        Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(CursorPrefix + Documents.KeysetCursor.Format(CreatedAt, StreamId)));

    /// <summary>False for anything <see cref="ToCursor"/> did not make (an offset cursor, a malformed string).</summary>
    public static bool TryParseCursor(string? cursor, out StreamListKey key)
    {
        key = default;
        if (string.IsNullOrEmpty(cursor))
        {
            return false;
        }

        string text;
        try
        {
            text = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(cursor));
        }
        catch (FormatException)
        {
            return false;
        }

        if (!text.StartsWith(CursorPrefix, StringComparison.Ordinal)
            || !Documents.KeysetCursor.TryParse(text[CursorPrefix.Length..], out var at, out var id))
        {
            return false;
        }

        key = new StreamListKey(at, id);
        return true;
    }
}

/// <summary>Result of re-computing a stream's hash chain.</summary>
public sealed record ChainVerification(string StreamId, bool Valid, long EventsChecked, long? FirstBrokenVersion, Guid? FirstBrokenEventId, string? Reason)
{
    public static ChainVerification Ok(string streamId, long count) => new(streamId, true, count, null, null, null);

    /// <summary>
    /// Of <see cref="EventsChecked"/>, the events whose personal data was erased (ADR 0030): their stored hashes were taken
    /// as links, backed by the recorded erasure, instead of being re-computed.
    /// </summary>
    public long EventsErased { get; init; }
}

/// <summary>A stream read for an audit: header, events in order, and the chain verified over exactly those events.</summary>
public sealed record VerifiedStream(StreamInfo Info, IReadOnlyList<StoredEvent> Events, ChainVerification Verification);

/// <summary>The stream was not at the version the caller expected (HTTP 409).</summary>
public sealed class ConcurrencyException(string streamId, ExpectedVersion expected, long actual)
    : Exception($"Stream '{streamId}' is at version {actual}, expected {expected}.")
{
    public string StreamId { get; } = streamId;
    public ExpectedVersion Expected { get; } = expected;
    public long ActualVersion { get; } = actual;
}

/// <summary>An event id was reused for a different event (a retry must resend exactly the same append).</summary>
public sealed class DuplicateEventException(Guid eventId, string detail) : Exception($"Event {eventId}: {detail}")
{
    public Guid EventId { get; } = eventId;
}
