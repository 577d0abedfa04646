using Npgsql;
using NpgsqlTypes;
using OutreachOS.BuildingBlocks.Privacy;
using OutreachOS.Ingestion.Contacts;
using OutreachOS.Ingestion.Contracts;
using OutreachOS.Ingestion.Suppressions;

namespace OutreachOS.Ingestion.Privacy;

/// <summary>
/// Ingestion's part of an erasure (ADR 0030): inbound message streams are erasable whole; the contact directory's row of
/// the address (CSV import) and the contact history of the address, or of an erased message, are deleted. An erasure by
/// age (no address) deletes the history of its messages only. The address's suppression stream is erasable too, but its
/// do-not-contact entry stays, by hash only (ADR 0031): erasing someone must not make them contactable again.
/// </summary>
internal sealed class IngestionPersonalDataEraser : IPersonalDataEraser
{
    public string Name => "ingestion";

    public IReadOnlyCollection<string> ErasableStreamTypes { get; } = [InboundStreams.StreamType, SuppressionStreams.StreamType];

    public async Task<int> EraseAsync(NpgsqlTransaction transaction, ErasureScope scope, CancellationToken ct)
    {
        // By the message's ref too: a message from another sender that copied the subject, once erased, leaves no summary
        // (its subject) behind either.
        var refs = scope.ErasedStreamIds.Select(InboundStreams.InboundIdOf).OfType<Guid>().Select(ContactHistoryProjection.MessageRef).ToArray();
        await using var batch = new NpgsqlBatch(transaction.Connection, transaction)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("DELETE FROM oos.ingestion_contacts WHERE tenant_id = $1 AND email = ANY($2)")
                {
                    Parameters = { new NpgsqlParameter { Value = scope.TenantId }, scope.SpellingsParameter() },
                },
                new NpgsqlBatchCommand("DELETE FROM oos.ingestion_contact_history WHERE tenant_id = $1 AND (email = ANY($2) OR ref = ANY($3))")
                {
                    Parameters =
                    {
                        new NpgsqlParameter { Value = scope.TenantId },
                        scope.SpellingsParameter(),
                        new NpgsqlParameter { Value = refs, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
                    },
                },
            },
        };
        if (scope.Email is not null)
        {
            // The subject's own entry stays, by hash; another entry's free-text reason may name the subject too ("asked by
            // jane@… on the phone"): that reason goes (its stream, which mentions the address, is erased with the others).
            batch.BatchCommands.Add(new NpgsqlBatchCommand("""
                UPDATE oos.ingestion_suppressions SET email = CASE WHEN address_hash = ANY($2) THEN NULL ELSE email END, reason = NULL
                WHERE tenant_id = $1 AND ((address_hash = ANY($2) AND (email IS NOT NULL OR reason IS NOT NULL))
                                          OR (EXISTS (SELECT 1 FROM unnest($3::text[]) AS v WHERE strpos(lower(reason), v) > 0) AND lower(reason) ~ $4))
                """)
            {
                Parameters =
                {
                    new NpgsqlParameter { Value = scope.TenantId },
                    new NpgsqlParameter { Value = scope.Spellings.SelectMany(SuppressionStreams.Hashes).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea },
                    scope.SpellingsParameter(),
                    scope.AddressPatternParameter(),
                },
            });
        }
        return await batch.ExecuteNonQueryAsync(ct);
    }
}
