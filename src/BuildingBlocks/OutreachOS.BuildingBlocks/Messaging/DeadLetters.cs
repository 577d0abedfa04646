using System.Net.Mime;
using System.Text.Json;
using MassTransit;
using MassTransit.Serialization;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Json;
using OutreachOS.BuildingBlocks.Postgres;

namespace OutreachOS.BuildingBlocks.Messaging;

internal static class DeadLetterMigration
{
    public static Migration Instance { get; } = new(10, "messaging dead letters", """
        CREATE TABLE oos.dead_letters (
            id              uuid        PRIMARY KEY,
            consumer        text        NOT NULL,
            input_address   text        NOT NULL,
            message_id      uuid        NOT NULL,
            message_type    text,
            tenant_id       uuid,
            content_type    text,
            body            text        NOT NULL,
            headers         jsonb       NOT NULL,
            exception       text        NOT NULL,
            attempts        int         NOT NULL,
            first_failed_at timestamptz NOT NULL,
            last_failed_at  timestamptz NOT NULL,
            redriven_at     timestamptz,
            redrive_count   int         NOT NULL DEFAULT 0,
            CONSTRAINT dead_letters_consumer_message UNIQUE (consumer, message_id)
        );
        CREATE INDEX dead_letters_tenant_pending ON oos.dead_letters (tenant_id, first_failed_at) WHERE redriven_at IS NULL;
        """);
}

/// <summary>A message that failed every attempt of a consumer (also in the consumer's <c>_error</c> queue).</summary>
public sealed record DeadLetter(
    Guid Id,
    string Consumer,
    Guid MessageId,
    string? MessageType,
    Guid? TenantId,
    string Exception,
    int Attempts,
    DateTimeOffset FirstFailedAt,
    DateTimeOffset LastFailedAt,
    DateTimeOffset? RedrivenAt,
    int RedriveCount,
    string Body,
    IReadOnlyDictionary<string, string> Headers);

/// <summary>
/// Error-pipe filter: when a message has exhausted its retries it is recorded in oos.dead_letters, then MassTransit's own
/// filters publish the fault and move it to the <c>_error</c> queue. A failed record is logged and does not stop the move.
/// </summary>
/// <remarks>
/// With the in-memory transport (<paramref name="delivery"/> set) a recorded dead letter is the endpoint's last word on the
/// message: the relay's checkpoint may pass it. A record that failed leaves the message unfinished, so the checkpoint
/// stays behind it and a restart delivers it again.
/// </remarks>
internal sealed class DeadLetterFilter(NpgsqlDataSource dataSource, TimeProvider clock, ILogger<DeadLetterFilter> logger, InMemoryDelivery? delivery = null)
    : IFilter<ExceptionReceiveContext>
{
    public async Task Send(ExceptionReceiveContext context, IPipe<ExceptionReceiveContext> next)
    {
        try
        {
            var messageId = await RecordAsync(context);
            if (delivery is not null && context.InputAddress is { } input)
            {
                delivery.Finished(messageId, input);
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or JsonException or InvalidOperationException)
        {
            logger.LogError(ex, "Could not record dead letter from {InputAddress}; the message still goes to the error queue", context.InputAddress);
        }
        await next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("outreachos-dead-letters");

    private async Task<Guid> RecordAsync(ExceptionReceiveContext context)
    {
        // GetString() on a transport body is not the text on every transport; decode the bytes.
        var body = System.Text.Encoding.UTF8.GetString(context.Body.GetBytes());
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in context.TransportHeaders.GetAll())
        {
            if (value is not null)
            {
                headers[key] = Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "";
            }
        }
        Guid? messageId = null;
        Guid? tenantId = null;
        string? messageType = null;
        if (context.TryGetPayload(out ConsumeContext? consume))
        {
            messageId = consume.MessageId;
            tenantId = consume.GetTenantId();
            messageType = consume.SupportedMessageTypes.FirstOrDefault();
        }
        var envelope = Envelope.TryRead(body);
        messageId ??= envelope?.MessageId;
        if (messageId is null && headers.TryGetValue("MessageId", out var rawId) && Guid.TryParse(rawId, out var hid))
        {
            messageId = hid;
        }
        messageType ??= envelope?.MessageType;
        tenantId ??= envelope?.TenantId;
        if (tenantId is null && headers.TryGetValue(MessagingHeaders.TenantId, out var rawTenant) && Guid.TryParse(rawTenant, out var t))
        {
            tenantId = t;
        }
        var attempts = context.TryGetPayload(out RetryContext? retry) ? retry.RetryCount + 1 : 1;
        var now = clock.GetUtcNow();

        await using var cmd = dataSource.CreateCommand("""
            INSERT INTO oos.dead_letters AS d (id, consumer, input_address, message_id, message_type, tenant_id, content_type, body, headers,
                exception, attempts, first_failed_at, last_failed_at)
            VALUES (@id, @consumer, @input, @mid, @mtype, @tenant, @ctype, @body, @headers, @exception, @attempts, @now, @now)
            ON CONFLICT (consumer, message_id) DO UPDATE SET
                attempts = d.attempts + excluded.attempts, exception = excluded.exception, last_failed_at = excluded.last_failed_at,
                body = excluded.body, headers = excluded.headers, redriven_at = NULL
            """);
        cmd.Parameters.AddWithValue("id", Guid.CreateVersion7());
        cmd.Parameters.AddWithValue("consumer", QueueName(context.InputAddress));
        cmd.Parameters.AddWithValue("input", context.InputAddress.ToString());
        // Without a message id (a foreign producer) each failure gets its own row.
        var recordedId = messageId ?? Guid.CreateVersion7();
        cmd.Parameters.AddWithValue("mid", recordedId);
        cmd.Parameters.AddWithValue("mtype", (object?)messageType ?? DBNull.Value);
        cmd.Parameters.AddWithValue("tenant", tenantId is { } tid ? tid : DBNull.Value);
        cmd.Parameters.AddWithValue("ctype", (object?)context.ContentType?.MediaType ?? DBNull.Value);
        cmd.Parameters.AddWithValue("body", body);
        cmd.Parameters.Add(new NpgsqlParameter("headers", NpgsqlDbType.Jsonb) { Value = JsonSerializer.Serialize(headers, OutreachJson.Options) });
        cmd.Parameters.AddWithValue("exception", context.Exception.ToString());
        cmd.Parameters.AddWithValue("attempts", attempts);
        cmd.Parameters.AddWithValue("now", now);
        await cmd.ExecuteNonQueryAsync(context.CancellationToken);
        MessagingMetrics.DeadLettered.Add(1, new KeyValuePair<string, object?>("consumer", QueueName(context.InputAddress)));
        return recordedId;
    }

    /// <summary>The endpoint's name: its input address's last segment (the queue's name; the in-memory routes use it too).</summary>
    internal static string QueueName(Uri inputAddress) => inputAddress.AbsolutePath.TrimEnd('/').Split('/')[^1];

    private sealed record Envelope(Guid? MessageId, string? MessageType, Guid? TenantId)
    {
        // MassTransit's JSON envelope: { "messageId", "messageType": [...], "headers": {...}, "message": {...} }.
        public static Envelope? TryRead(string body)
        {
            try
            {
                using var doc = JsonDocument.Parse(body);
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    return null;
                }
                Guid? id = root.TryGetProperty("messageId", out var m) && m.ValueKind == JsonValueKind.String && Guid.TryParse(m.GetString(), out var g) ? g : null;
                string? type = root.TryGetProperty("messageType", out var ts) && ts.ValueKind == JsonValueKind.Array && ts.GetArrayLength() > 0 ? ts[0].GetString() : null;
                Guid? tenant = root.TryGetProperty("headers", out var h) && h.ValueKind == JsonValueKind.Object
                    && h.TryGetProperty(MessagingHeaders.TenantId, out var tv) && tv.ValueKind == JsonValueKind.String && Guid.TryParse(tv.GetString(), out var tg) ? tg : null;
                return new Envelope(id, type, tenant);
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }
}

/// <summary>Lists dead letters and re-sends them to the queue of the consumer that failed them.</summary>
public sealed class DeadLetterService(NpgsqlDataSource dataSource, IBus bus, TimeProvider clock, ILogger<DeadLetterService> logger)
{
    private const string Columns = """
        id, consumer, message_id, message_type, tenant_id, exception, attempts, first_failed_at, last_failed_at, redriven_at, redrive_count,
        body, headers, content_type
        """;

    /// <summary>Newest first. <paramref name="tenantId"/> null = every tenant (operators only).</summary>
    public async Task<IReadOnlyList<DeadLetter>> ListAsync(Guid? tenantId, bool onlyPending, int limit, CancellationToken ct = default)
    {
        await using var cmd = dataSource.CreateCommand($"""
            SELECT {Columns} FROM oos.dead_letters
            WHERE (@tenant::uuid IS NULL OR tenant_id = @tenant) AND (NOT @pending OR redriven_at IS NULL)
            ORDER BY last_failed_at DESC LIMIT @limit
            """);
        cmd.Parameters.Add(new NpgsqlParameter("tenant", NpgsqlDbType.Uuid) { Value = tenantId is { } t ? t : DBNull.Value });
        cmd.Parameters.AddWithValue("pending", onlyPending);
        cmd.Parameters.AddWithValue("limit", Math.Clamp(limit, 1, 1000));
        var list = new List<DeadLetter>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            list.Add(Read(r));
        }
        return list;
    }

    public async Task<DeadLetter?> GetAsync(Guid id, CancellationToken ct = default)
    {
        await using var cmd = dataSource.CreateCommand($"SELECT {Columns} FROM oos.dead_letters WHERE id = @id");
        cmd.Parameters.AddWithValue("id", id);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? Read(r) : null;
    }

    /// <summary>
    /// Sends the stored body and headers (same MessageId, so the consumer's inbox still de-duplicates) to
    /// <c>queue:&lt;consumer&gt;</c> and marks the row redriven. False when the row does not exist or belongs to another
    /// tenant than <paramref name="tenantId"/> (when given).
    /// </summary>
    public async Task<bool> RedriveAsync(Guid id, Guid? tenantId = null, CancellationToken ct = default)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        // Concurrent redrives of one row queue on an advisory lock, not a row lock: a row lock takes a transaction id, which
        // would hold back the event log's readers for as long as the broker takes to accept the send (ADR 0002).
        await using (var locking = new NpgsqlBatch(conn, tx) { BatchCommands = { AdvisoryLocks.TransactionLock($"dead-letter:{id:N}") } })
        {
            await locking.ExecuteNonQueryAsync(ct);
        }
        await using var select = new NpgsqlCommand(
            "SELECT consumer, body, headers, content_type, tenant_id, message_id FROM oos.dead_letters WHERE id = @id", conn, tx);
        select.Parameters.AddWithValue("id", id);
        string consumer, body;
        Dictionary<string, string> headers;
        string? contentType;
        Guid messageId;
        await using (var r = await select.ExecuteReaderAsync(ct))
        {
            if (!await r.ReadAsync(ct))
            {
                return false;
            }
            if (tenantId is { } expected && (r.IsDBNull(4) || r.GetGuid(4) != expected))
            {
                return false;
            }
            consumer = r.GetString(0);
            body = r.GetString(1);
            headers = JsonSerializer.Deserialize<Dictionary<string, string>>(r.GetString(2), OutreachJson.Options) ?? [];
            contentType = r.IsDBNull(3) ? null : r.GetString(3);
            messageId = r.GetGuid(5);
        }

        // Send before the mark: a failed send leaves the row pending; a failed mark after a send is a duplicate the inbox absorbs.
        var endpoint = await bus.GetSendEndpoint(new Uri($"queue:{consumer}"));
        var serializer = new CopyBodySerializer(new ContentType(contentType ?? "application/vnd.masstransit+json"), new StringMessageBody(body));
        await endpoint.Send(new RedrivenMessage(id), Pipe.Execute<SendContext>(ctx =>
        {
            ctx.Serializer = serializer;
            ctx.MessageId = messageId;
            foreach (var (key, value) in headers)
            {
                if (IsMessageHeader(key))
                {
                    ctx.Headers.Set(key, value);
                }
            }
            ctx.Headers.Set("outreachos-redriven-from", id.ToString());
        }), ct);
        await using var mark = new NpgsqlCommand(
            "UPDATE oos.dead_letters SET redriven_at = @now, redrive_count = redrive_count + 1 WHERE id = @id", conn, tx);
        mark.Parameters.AddWithValue("id", id);
        mark.Parameters.AddWithValue("now", clock.GetUtcNow());
        await mark.ExecuteNonQueryAsync(CancellationToken.None);
        await tx.CommitAsync(CancellationToken.None);
        MessagingMetrics.Redriven.Add(1, new KeyValuePair<string, object?>("consumer", consumer));
        logger.LogInformation("Dead letter {DeadLetterId} re-sent to queue {Queue}", id, consumer);
        return true;
    }

    // Transport bookkeeping (MassTransit fault headers, RabbitMQ delivery details) describes the failed attempt, not the message.
    private static bool IsMessageHeader(string key) =>
        !key.StartsWith("MT-", StringComparison.OrdinalIgnoreCase)
        && !key.StartsWith("RabbitMQ-", StringComparison.OrdinalIgnoreCase)
        && !key.StartsWith("x-", StringComparison.OrdinalIgnoreCase)
        && !key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)
        && !key.Equals("MessageId", StringComparison.OrdinalIgnoreCase);

    private static DeadLetter Read(NpgsqlDataReader r) => new(
        r.GetGuid(0), r.GetString(1), r.GetGuid(2), r.IsDBNull(3) ? null : r.GetString(3), r.IsDBNull(4) ? null : r.GetGuid(4),
        r.GetString(5), r.GetInt32(6), r.GetFieldValue<DateTimeOffset>(7), r.GetFieldValue<DateTimeOffset>(8),
        r.IsDBNull(9) ? null : r.GetFieldValue<DateTimeOffset>(9), r.GetInt32(10), r.GetString(11),
        JsonSerializer.Deserialize<Dictionary<string, string>>(r.GetString(12), OutreachJson.Options) ?? []);

    /// <summary>Placeholder payload for the send: the copied body replaces it on the wire.</summary>
    private sealed record RedrivenMessage(Guid DeadLetterId);
}
