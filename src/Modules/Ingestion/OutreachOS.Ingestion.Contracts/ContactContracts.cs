namespace OutreachOS.Ingestion.Contracts;

/// <summary>What the organization knows about a sender: built-in contact store (CSV import) merged with the CRM.</summary>
public sealed record ContactRecord(
    string Email,
    string? Name,
    string? Company,
    bool Vip,
    IReadOnlyList<string> Tags,
    IReadOnlyList<ContactHistoryItem> History,
    string? CrmId);

/// <summary>A past message, ticket or deal (<see cref="Kind"/> = MESSAGE | TICKET | DEAL).</summary>
public sealed record ContactHistoryItem(string Kind, string Summary, DateTimeOffset? At);

/// <summary>Contact lookup for enrichment (Triage) — implemented by the Ingestion module.</summary>
public interface IContactDirectory
{
    Task<ContactRecord?> FindAsync(Guid organizationId, string email, CancellationToken ct = default);
}

/// <summary>
/// The CRM the organization logs to (HubSpot, or none). Implementations never throw for a CRM outage: they return
/// null and log, because a CRM note must not block a reply.
/// </summary>
public interface ICrmAdapter
{
    string Name { get; }

    Task<ContactRecord?> FindContactAsync(Guid organizationId, string email, CancellationToken ct = default);

    /// <summary>Adds a note to the contact's timeline; returns the CRM's note id, or null when it could not be logged.</summary>
    Task<string?> LogNoteAsync(Guid organizationId, string email, string note, CancellationToken ct = default);
}
