using Npgsql;
using NpgsqlTypes;
using OutreachOS.BuildingBlocks.Privacy;

namespace OutreachOS.BuildingBlocks.Messaging;

/// <summary>
/// Dead letters hold whole messages (an inbound mail, a decision with its redactions): an erasure (ADR 0030) deletes the
/// organization's dead letters that mention the address, or name an erased stream's id (the messages of an erased inbound
/// mail carry its id, not always the address). Copies in RabbitMQ's <c>_error</c> queues are outside the database.
/// </summary>
internal sealed class DeadLetterPersonalDataEraser : IPersonalDataEraser
{
    public string Name => "dead_letters";

    public IReadOnlyCollection<string> ErasableStreamTypes { get; } = [];

    public async Task<int> EraseAsync(NpgsqlTransaction transaction, ErasureScope scope, CancellationToken ct)
    {
        // A stream id ends in the id its messages carry (inbound-{id:D} → "inbound_id": "{id:D}").
        var ids = scope.ErasedStreamIds.Select(s => s[(s.IndexOf('-', StringComparison.Ordinal) + 1)..]).Where(s => s.Length > 0).Distinct().ToArray();
        await using var cmd = new NpgsqlCommand("""
            DELETE FROM oos.dead_letters
            WHERE tenant_id = $1
              AND ((EXISTS (SELECT 1 FROM unnest($2::text[]) AS v WHERE strpos(lower(body), v) > 0) AND lower(body) ~ $3)
                   OR (EXISTS (SELECT 1 FROM unnest($2::text[]) AS v WHERE strpos(lower(headers::text), v) > 0) AND lower(headers::text) ~ $3)
                   OR EXISTS (SELECT 1 FROM unnest($4::text[]) AS id WHERE strpos(lower(body), lower(id)) > 0))
            """, transaction.Connection, transaction)
        {
            Parameters =
            {
                new NpgsqlParameter { Value = scope.TenantId },
                scope.SpellingsParameter(),
                scope.AddressPatternParameter(),
                new NpgsqlParameter { Value = ids, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
            },
        };
        return await cmd.ExecuteNonQueryAsync(ct);
    }
}
