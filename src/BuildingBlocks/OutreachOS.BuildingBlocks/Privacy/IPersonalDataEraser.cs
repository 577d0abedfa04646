using Npgsql;
using NpgsqlTypes;
using OutreachOS.BuildingBlocks.EventStore;

namespace OutreachOS.BuildingBlocks.Privacy;

/// <summary>
/// What one erasure covers (ADR 0030): the organization, the data subject's address (canonical: trimmed, lower case) and
/// the streams whose events were erased for it. An erasure by age (inbound retention) has no address: only the erased
/// streams' data goes.
/// </summary>
public sealed record ErasureScope(Guid TenantId, string? Email, IReadOnlyCollection<string> ErasedStreamIds)
{
    /// <summary>Every spelling of the address (<see cref="EmailAddresses.Spellings"/>); none without an address.</summary>
    public IReadOnlyList<string> Spellings { get; } = Email is null ? [] : EmailAddresses.Spellings(Email);

    /// <summary>The address as a text parameter: NULL without one, so that every condition on it matches nothing.</summary>
    public NpgsqlParameter EmailParameter() => new() { Value = (object?)Email ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text };

    /// <summary>
    /// Every spelling of the address as a text[] parameter (empty without one): compare with <c>= ANY(…)</c>, or pre-filter
    /// text with <c>EXISTS (SELECT 1 FROM unnest(…) v WHERE strpos(lower(x), v) &gt; 0)</c>.
    /// </summary>
    public NpgsqlParameter SpellingsParameter() => new() { Value = Spellings.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text };

    /// <summary><see cref="EventErasure.AddressPattern(IReadOnlyList{string})"/> of every spelling as a text parameter (NULL without an address).</summary>
    public NpgsqlParameter AddressPatternParameter() =>
        new() { Value = Email is null ? DBNull.Value : EventErasure.AddressPattern(Spellings), NpgsqlDbType = NpgsqlDbType.Text };
}

/// <summary>
/// A module's part in erasing a data subject's personal data (ADR 0030). The host's erasure finds the organization's
/// streams whose events mention the address, erases those of the types that modules declare in
/// <see cref="ErasableStreamTypes"/>, and then asks every eraser to remove the subject's data from the module's own tables
/// (read models, ledgers, documents) in the same transaction. Register with <c>services.AddSingleton&lt;IPersonalDataEraser, T&gt;()</c>.
/// </summary>
public interface IPersonalDataEraser
{
    /// <summary>Names the eraser in the erasure's record (which read models were cleaned, and how many rows).</summary>
    string Name { get; }

    /// <summary>
    /// The module's stream types that hold correspondents' data and may be erased whole (an inbound message and its
    /// handling, say). Streams of other types that mention the address are kept and reported: they are the system's own
    /// records (configuration, ledgers), changed through their own endpoints.
    /// </summary>
    IReadOnlyCollection<string> ErasableStreamTypes { get; }

    /// <summary>
    /// Removes or blanks the subject's data in the module's tables, in the erasure's transaction; returns the rows changed.
    /// Must be idempotent: the erasure runs it again once the subscriptions have passed the erased events, in case one
    /// had read them just before and wrote its read model after the first run.
    /// </summary>
    Task<int> EraseAsync(NpgsqlTransaction transaction, ErasureScope scope, CancellationToken ct);
}
