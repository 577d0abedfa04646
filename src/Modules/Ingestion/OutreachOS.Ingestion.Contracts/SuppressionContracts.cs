using Npgsql;

namespace OutreachOS.Ingestion.Contracts;

/// <summary>
/// An address the organization must not contact (ADR 0031). <see cref="Email"/> is null once the address was erased
/// (ADR 0030): the entry is then kept by the address's hash only, so that the objection is still honoured.
/// </summary>
public sealed record SuppressionEntry(string? Email, string Source, string? Reason, Guid? InboundId, DateTimeOffset SuppressedAt);

/// <summary>Where a suppression came from. On the wire: API, IMPORT, INBOUND_UNSUBSCRIBE.</summary>
public static class SuppressionSources
{
    /// <summary>Added through <c>POST /suppressions</c>.</summary>
    public const string Api = "API";

    /// <summary>Added by <c>POST /suppressions/import</c> (a list from another tool).</summary>
    public const string Import = "IMPORT";

    /// <summary>The address asked to be left alone in a message that triage classified as an unsubscribe request.</summary>
    public const string InboundUnsubscribe = "INBOUND_UNSUBSCRIBE";
}

/// <summary>
/// The organization's do-not-contact list (ADR 0031), implemented by the Ingestion module. Generation refuses to write to
/// a suppressed lead; Triage adds the sender of an unsubscribe request.
/// </summary>
public interface ISuppressionList
{
    /// <summary>The entry of the address (any case, surrounding spaces ignored), or null when it may be contacted.</summary>
    Task<SuppressionEntry?> FindAsync(Guid organizationId, string email, CancellationToken ct = default);

    /// <summary>
    /// Suppresses the sender of an inbound message in the caller's transaction (the message's triage decision), once per
    /// message: a retried decision appends nothing new.
    /// </summary>
    Task SuppressFromInboundAsync(NpgsqlTransaction transaction, Guid organizationId, string email, Guid inboundId, DateTimeOffset at,
        CancellationToken ct = default);
}
