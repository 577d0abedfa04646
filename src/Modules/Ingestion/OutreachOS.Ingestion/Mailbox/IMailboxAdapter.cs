using OutreachOS.Ingestion.Contracts;
using OutreachOS.Ingestion.Normalizing;

namespace OutreachOS.Ingestion.Mailbox;

/// <summary>What a notification announced: message resource ids to fetch, and the mailbox's new cursor (Gmail history id).</summary>
/// <param name="More">Changes remain after <paramref name="Cursor"/> that this read did not cover (a bounded read stopped):
/// the consumer asks for them again, starting at the cursor.</param>
internal sealed record MailboxChanges(IReadOnlyList<string> ResourceIds, string? Cursor, bool More = false);

/// <summary>
/// A provider mailbox API (Graph, Gmail, or the in-memory test mailbox). Adapters return the message as a
/// <see cref="RawEmail"/>; validation and normalization are the same for every source.
/// </summary>
internal interface IMailboxAdapter
{
    InboundSource Source { get; }

    /// <summary>Resolves a notification (<paramref name="notified"/>) into message ids, given the last stored cursor.</summary>
    /// <param name="syncedAt">When the read that stored <paramref name="cursor"/> began, if it read to the end of the
    /// mailbox's changes: everything the provider held before then is at or before the cursor.</param>
    Task<MailboxChanges> ChangesAsync(string mailbox, string notified, string? cursor, DateTimeOffset? syncedAt, CancellationToken ct);

    /// <summary>The message, or null when it no longer exists (deleted between notification and fetch).</summary>
    Task<RawEmail?> FetchAsync(string mailbox, string resourceId, CancellationToken ct);
}
