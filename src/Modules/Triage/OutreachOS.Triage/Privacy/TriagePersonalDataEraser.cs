using Npgsql;
using NpgsqlTypes;
using OutreachOS.BuildingBlocks.Documents;
using OutreachOS.BuildingBlocks.Privacy;
using OutreachOS.Ingestion.Contracts;
using OutreachOS.Triage.Drafts;
using OutreachOS.Triage.Qa;

namespace OutreachOS.Triage.Privacy;

/// <summary>
/// Triage's part of an erasure (ADR 0030). The inbound streams it appends to are Ingestion's (erasable there). Its own
/// tables: the draft and QA documents of an erased message, or that mention the address, are deleted; the SMTP send
/// ledger keeps its rows (they make sends exactly-once) with recipient and subject blanked.
/// </summary>
internal sealed class TriagePersonalDataEraser : IPersonalDataEraser
{
    public const string Erased = "[erased]";

    /// <summary>The documents that hold a message's content: drafts and QA samples.</summary>
    private static readonly string[] DocumentTypes = [DocumentStore.TypeName<DraftRecord>(), DocumentStore.TypeName<QaRecord>()];

    public string Name => "triage";

    public IReadOnlyCollection<string> ErasableStreamTypes { get; } = [];

    public async Task<int> EraseAsync(NpgsqlTransaction transaction, ErasureScope scope, CancellationToken ct)
    {
        var inboundIds = scope.ErasedStreamIds.Select(InboundStreams.InboundIdOf).OfType<Guid>().ToArray();
        NpgsqlParameter[] Parameters() =>
        [
            new() { Value = scope.TenantId },
            new() { Value = inboundIds, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid },
            scope.SpellingsParameter(),
            scope.AddressPatternParameter(),
            new() { Value = Erased },
        ];
        var documents = new NpgsqlBatchCommand("""
            DELETE FROM oos.documents
            WHERE tenant_id = $1 AND type = ANY($5)
              AND ((data ->> 'inbound_id')::uuid = ANY($2) OR (EXISTS (SELECT 1 FROM unnest($3::text[]) AS v WHERE strpos(lower(data::text), v) > 0) AND lower(data::text) ~ $4))
            """);
        documents.Parameters.AddRange(Parameters()[..4]);
        documents.Parameters.Add(new NpgsqlParameter { Value = DocumentTypes, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        var sends = new NpgsqlBatchCommand("""
            UPDATE oos.triage_sends SET recipient = $5, subject = $5
            WHERE tenant_id = $1 AND recipient <> $5
              AND (inbound_id = ANY($2) OR (EXISTS (SELECT 1 FROM unnest($3::text[]) AS v WHERE strpos(lower(recipient), v) > 0) AND lower(recipient) ~ $4))
            """);
        sends.Parameters.AddRange(Parameters());
        await using var batch = new NpgsqlBatch(transaction.Connection, transaction) { BatchCommands = { documents, sends } };
        return await batch.ExecuteNonQueryAsync(ct);
    }
}
